using System.Reflection;

namespace LlmDistill.Generation.Prompts;

/// <summary>
/// The templates in <c>prompts/*.yaml</c>, embedded in the library so they work from any folder and from an installed
/// tool. <see cref="Default"/> is what a stage uses when no template is given.
/// </summary>
public static class BuiltInPrompts
{
    /// <summary>A general step-by-step template: any question, answer on a final "#### ..." line.</summary>
    public const string Default = "cot-general";

    const string ResourcePrefix = "LlmDistill.Prompts.";

    public static IReadOnlyList<string> Names { get; } = typeof(BuiltInPrompts).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^".yaml".Length]).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The YAML bytes of the built-in template <paramref name="name"/>.</summary>
    public static byte[] Read(string name)
    {
        using var stream = typeof(BuiltInPrompts).Assembly.GetManifestResourceStream($"{ResourcePrefix}{name}.yaml")
            ?? throw new ArgumentException($"'{name}' is not a built-in prompt template ({string.Join(", ", Names)}).");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
