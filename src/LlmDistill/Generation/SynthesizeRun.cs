using LlmDistill.Options;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LlmDistill.Generation.Datasets;
using LlmDistill.Generation.Prompts;
using LlmDistill.Teacher;

namespace LlmDistill.Generation;

/// <summary>Settings of `llmdistill synthesize`: grow a question set from a few seeds.</summary>
public sealed record SynthesizeSettings
{
    public required string TeacherPath { get; init; }
    public required string SeedDataPath { get; init; }
    public required string PromptPath { get; init; }
    /// <summary>JSONL file to write (id, question); appears only complete.</summary>
    public required string OutputPath { get; init; }
    public required int Count { get; init; }
    public DatasetReadOptions SeedDataset { get; init; } = new();
    /// <summary>Seed questions shown in each prompt, drawn at random.</summary>
    public int ExamplesPerPrompt { get; init; } = 3;
    public float Temperature { get; init; } = 0.9f;
    public float TopP { get; init; } = 0.95f;
    public long Seed { get; init; }
    public int MaxTokens { get; init; } = 160;
    public int Parallel { get; init; } = 8;
    public int ContextPerSequence { get; init; } = 1024;
    public int Threads { get; init; }
    public bool Raw { get; init; }
    /// <summary>Give up after this many teacher attempts per wanted question (duplicates and empty outputs cost attempts).</summary>
    public int AttemptsPerQuestion { get; init; } = 4;
}

public sealed record SynthesizeSummary(string OutputPath, int Written, int Attempts, int ExactDuplicates, int NearDuplicates, int Unusable, TimeSpan Wall, bool Interrupted);

/// <summary>
/// The teacher writes new questions in the style of seed questions (few-shot prompt from prompts/), deduplicated
/// exactly and by near-duplicate text against the seeds and each other. Answer them with `generate --samples N
/// --keep majority` to get self-consistency pseudo-labels where no gold answer exists.
/// </summary>
public static class SynthesizeRun
{
    public static SynthesizeSummary Run(SynthesizeSettings settings, IProgress<(int Written, int Wanted)>? progress = null, CancellationToken cancel = default)
    {
        if (settings.Count < 1) throw OptionsException.For<SynthesizeSettings>(nameof(SynthesizeSettings.Count), $"must be at least 1, not {settings.Count}");
        if (!File.Exists(settings.SeedDataPath)) throw new FileNotFoundException($"seed data not found: {settings.SeedDataPath}", settings.SeedDataPath);
        var clock = Stopwatch.StartNew();
        var seeds = DatasetReader.Open(settings.SeedDataPath, settings.SeedDataset).Select(r => r.Question).ToList();
        if (seeds.Count == 0) throw new InvalidDataException($"{settings.SeedDataPath} holds no questions to learn the style from");
        var template = PromptTemplate.Load(settings.PromptPath);
        using var teacher = GgufModel.Load(settings.TeacherPath);
        var dedup = new QuestionDeduplicator();
        seeds.ForEach(dedup.Remember);

        var sampling = new SamplingSettings(settings.Temperature, 40, settings.TopP, 0f, settings.Seed);
        int attempts = settings.Count * settings.AttemptsPerQuestion, written = 0, unusable = 0, tried = 0;
        IEnumerable<GenerationRequest> Requests()
        {
            for (int i = 0; i < attempts; i++)
            {
                var random = new Random(HashCode.Combine(settings.Seed, i));
                var examples = seeds.OrderBy(_ => random.Next()).Take(settings.ExamplesPerPrompt).Select(q => new FewShotExample(q, null)).ToList();
                var rendered = template.Render("", examples);
                int[] tokens = teacher.Tokenize(teacher.RenderPrompt(rendered.User, rendered.System, settings.Raw));
                yield return new GenerationRequest(i, tokens, sampling, settings.MaxTokens, template.StopStrings);
            }
        }

        string temp = settings.OutputPath + ".tmp";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.OutputPath))!);
        bool interrupted = false;
        using (var output = new StreamWriter(temp, append: false, new UTF8Encoding(false)))
        using (var generator = new BatchedGenerator(teacher, new GeneratorOptions
               { Parallel = settings.Parallel, ContextPerSequence = settings.ContextPerSequence, TopK = 1, Threads = settings.Threads }))
        {
            try
            {
                foreach (var completion in generator.Generate(Requests(), cancel))
                {
                    tried++;
                    string? question = completion.FinishReason == FinishReason.Error ? null : Clean(completion.Text);
                    if (question is null) { unusable++; continue; }
                    if (!dedup.TryAdd(question)) continue;
                    output.WriteLine(JsonSerializer.Serialize(new { id = "syn-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(question)))[..16], question }));
                    written++;
                    progress?.Report((written, settings.Count));
                    if (written == settings.Count) break;
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                interrupted = true;
            }
        }
        File.Move(temp, settings.OutputPath, overwrite: true);
        return new SynthesizeSummary(settings.OutputPath, written, tried, dedup.ExactDuplicates, dedup.NearDuplicates, unusable, clock.Elapsed, interrupted);
    }

    /// <summary>The question from a completion: trimmed, a leading "Problem:" label dropped, first paragraph only; null when too short to be a question.</summary>
    public static string? Clean(string completion)
    {
        string text = completion.Trim();
        foreach (string label in new[] { "Problem:", "Question:", "New problem:" })
            if (text.StartsWith(label, StringComparison.OrdinalIgnoreCase)) text = text[label.Length..].TrimStart();
        int paragraph = text.IndexOf("\n\n", StringComparison.Ordinal);
        if (paragraph >= 0) text = text[..paragraph];
        text = string.Join(' ', text.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return text.Length < 12 || !text.Any(char.IsLetter) ? null : text;
    }
}
