using LlmDistill.Options;
using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LlmDistill.Generation.Datasets;
using LlmDistill.IO;
using LlmDistill.Generation.Prompts;
using LlmDistill.Teacher;

namespace LlmDistill.Generation;

/// <summary>Settings of the synthesize stage (<see cref="SynthesizeRun"/>): grow a question set from a few seeds.</summary>
public sealed record SynthesizeSettings : IValidatedOptions
{
    [OptionName("teacher", "-t"), PathOption, Description("Teacher GGUF model.")]
    public required string TeacherPath { get; init; }

    [OptionName("seed-data"), PathOption, Description("A few example questions (.jsonl, .csv or .parquet).")]
    public required string SeedDataPath { get; init; }

    [OptionName("out", "-o"), PathOption, Description("JSONL file to write (id, question); it appears only complete.")]
    public required string OutputPath { get; init; }

    [OptionName("count", "-n"), Description("How many new questions to write.")]
    public required int Count { get; init; }

    [OptionName("prompt"), PathOption(mayBeName: true), Description("Prompt template for writing questions: a YAML file or a built-in name.")]
    public string PromptPath { get; init; } = "synthesize-questions";

    [Description("Send the rendered template as is, without the teacher's chat template.")]
    public bool Raw { get; init; }

    public DatasetReadOptions SeedDataset { get; init; } = new();

    [OptionName("examples"), Description("Seed questions shown in each prompt, drawn at random.")]
    public int ExamplesPerPrompt { get; init; } = 3;

    /// <summary>Hotter and shorter than answering: variety matters, and a question is short.</summary>
    public SamplingOptions Sampling { get; init; } = new() { Temperature = 0.9f, MaxTokens = 160 };

    public EngineOptions Engine { get; init; } = new() { ContextPerSequence = 1024 };

    [Description("Give up after this many teacher attempts per wanted question (duplicates and empty outputs cost attempts).")]
    public int AttemptsPerQuestion { get; init; } = 4;

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect(
        [
            OptionChecks.FileExists(nameof(TeacherPath), TeacherPath),
            OptionChecks.FileExists(nameof(SeedDataPath), SeedDataPath),
            OptionChecks.AtLeast(nameof(Count), Count, 1),
            File.Exists(PromptPath) || BuiltInPrompts.Names.Contains(PromptPath) ? null : new OptionError(nameof(PromptPath), $"'{PromptPath}' is neither a file nor a built-in template"),
            OptionChecks.AtLeast(nameof(ExamplesPerPrompt), ExamplesPerPrompt, 1),
            OptionChecks.AtLeast(nameof(AttemptsPerQuestion), AttemptsPerQuestion, 1),
        ],
        (nameof(SeedDataset), SeedDataset), (nameof(Sampling), Sampling), (nameof(Engine), Engine));
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
        OptionsException.ThrowIfInvalid(settings);
        var clock = Stopwatch.StartNew();
        using var outputLock = RunFolderLock.Beside(settings.OutputPath, "synthesize");
        OutputLeftovers.Clear(settings.OutputPath);
        var seeds = DatasetReader.Open(settings.SeedDataPath, settings.SeedDataset).Select(r => r.Question).ToList();
        if (seeds.Count == 0) throw new InvalidDataException($"{settings.SeedDataPath} holds no questions to learn the style from");
        var template = PromptTemplate.Resolve(settings.PromptPath);
        using var teacher = GgufModel.Load(settings.TeacherPath);
        var dedup = new QuestionDeduplicator();
        seeds.ForEach(dedup.Remember);

        var sampling = settings.Sampling.For(samples: 1);
        int attempts = settings.Count * settings.AttemptsPerQuestion, written = 0, unusable = 0, tried = 0;
        IEnumerable<GenerationRequest> Requests()
        {
            for (int i = 0; i < attempts; i++)
            {
                // Seeded by (seed, attempt) the same way in every process (HashCode.Combine is salted per process,
                // which made two runs with one seed pick other examples and write other questions).
                var random = new Random(unchecked((int)(settings.Sampling.Seed * 1_000_003 + i)));
                var examples = seeds.OrderBy(_ => random.Next()).Take(settings.ExamplesPerPrompt).Select(q => new FewShotExample(q, null)).ToList();
                var rendered = template.Render("", examples);
                int[] tokens = teacher.Tokenize(teacher.RenderPrompt(rendered.User, rendered.System, settings.Raw));
                yield return new GenerationRequest(i, tokens, sampling, settings.Sampling.MaxTokens, template.StopStrings);
            }
        }

        string temp = settings.OutputPath + ".tmp";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.OutputPath))!);
        bool interrupted = false;
        using (var output = new StreamWriter(temp, append: false, new UTF8Encoding(false)))
        using (var generator = new BatchedGenerator(teacher, settings.Engine.Generator(captureTopK: 1)))
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
