using LlmDistill.Options;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using LlmDistill.Answers;
using LlmDistill.IO;
using LlmDistill.Teacher;
using LlmDistill.Tokenization;
using LlmDistill.Traces.Export;

namespace LlmDistill.Traces.Import;

/// <summary>
/// `llmdistill traces import`: an existing supervised fine-tuning set (chat-jsonl, ShareGPT, Alpaca) becomes gold
/// traces without teacher distributions (k = 0), which `train` reads like any other traces (likelihood only), as
/// the demo's <c>GoldTraces</c> do. The prompt is <c>system + "\n\n" + user</c>, tokenized with the
/// beginning-of-text token; the completion is the assistant message closed by the end-of-text token, both with the
/// managed tokenizer of the given vocabulary (which gives llama.cpp's ids). Lines stream; the folder is written
/// beside the target and moved into place when complete.
/// </summary>
public static class TraceImport
{
    const int ProgressEveryRows = 1024;

    public static TraceImportSummary Run(TraceImportSettings settings, IProgress<TraceImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        OptionsException.ThrowIfInvalid(settings);
        var clock = Stopwatch.StartNew();
        var vocabulary = TokenizerGgufMetadata.ReadFile(settings.TokenizerPath);
        var tokenizer = VocabularyTokenizer.Create(vocabulary);
        int eos = vocabulary.Special.Eos ?? throw new InvalidDataException($"'{settings.TokenizerPath}' has no end-of-text token to close completions with");
        string dataset = settings.EffectiveDatasetName, split = settings.Split;
        TraceKey.Validate(dataset, split, "1", 0);

        string target = Path.GetFullPath(settings.OutputFolder);
        string staging = $"{target.TrimEnd(Path.DirectorySeparatorChar)}.importing-{Guid.NewGuid():N}";
        long rows = 0, promptTokens = 0, completionTokens = 0, lineNumber = 0;
        try
        {
            using (var writer = new TraceWriter(staging, Provenance(settings, vocabulary), new TraceWriterOptions { Shard = "import" }))
            using (var input = new FileStream(settings.InputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            using (var lines = new StreamReader(input))
            {
                while (lines.ReadLine() is { } line)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    lineNumber++;
                    if (string.IsNullOrWhiteSpace(line)) continue;
                    var turns = SftLineReader.Read(line, settings.Format, settings.InputPath, lineNumber);
                    var record = Record(turns, tokenizer, eos, dataset, split, lineNumber);
                    writer.Write(record);
                    rows++;
                    promptTokens += record.PromptTokenIds.Length;
                    completionTokens += record.CompletionTokenCount;
                    if (rows % ProgressEveryRows == 0) progress?.Report(new(rows, input.Position, input.Length));
                }
                progress?.Report(new(rows, input.Length, input.Length));
            }
            if (rows == 0) throw new InvalidDataException($"'{settings.InputPath}' holds no conversations");
            if (Directory.Exists(target)) Directory.Delete(target);
            FolderSwap.Replace(staging, target);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return new TraceImportSummary
        {
            OutputFolder = target, Rows = rows, PromptTokens = promptTokens, CompletionTokens = completionTokens,
            Stats = TraceFileStats.Measure(target), Wall = clock.Elapsed,
        };
    }

    /// <summary>A gold trace: the line number is the example id, so keys follow the file's order.</summary>
    static TraceRecord Record(ChatTurns turns, VocabularyTokenizer tokenizer, int eos, string dataset, string split, long lineNumber)
    {
        var extracted = AnswerExtractor.Default.Extract(turns.Assistant);
        return TraceRecord.Gold(dataset, split, lineNumber.ToString(CultureInfo.InvariantCulture), turns.User, turns.PromptText,
            turns.Assistant, extracted.Rationale, tokenizer, eos) with { Answer = extracted.Answer };
    }

    /// <summary>The data set in place of a teacher: its file name, size and hash; the vocabulary's fingerprint, which `train` checks.</summary>
    static TraceProvenance Provenance(TraceImportSettings settings, TokenizerVocabulary vocabulary)
    {
        using var stream = File.OpenRead(settings.InputPath);
        return TraceProvenance.Gold("import:" + Path.GetFileName(settings.InputPath), stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)),
            vocabulary, templateName: "import:" + settings.Format.ToName(), templateSha256: "",
            toolVersion: typeof(TraceImport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev");
    }
}
