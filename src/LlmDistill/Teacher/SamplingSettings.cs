namespace LlmDistill.Teacher;

/// <summary>
/// How the next token is chosen. Temperature ≤ 0 means greedy (argmax, ties to the lower id).
/// TopK ≤ 0 disables the top-k cut; TopP ≥ 1 disables nucleus sampling; MinP ≤ 0 disables the min-p cut.
/// The seed makes a run reproducible: each request draws from its own generator seeded by (Seed, request index),
/// so results do not depend on which other requests share the batch.
/// </summary>
public sealed record SamplingSettings(float Temperature = 0f, int TopK = 40, float TopP = 1f, float MinP = 0f, long Seed = 0)
{
    public static SamplingSettings Greedy { get; } = new();
    public bool IsGreedy => Temperature <= 0f;
}
