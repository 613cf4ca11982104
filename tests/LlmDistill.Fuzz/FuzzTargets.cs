using System.Text;
using LlmDistill.Answers;
using LlmDistill.Demo;
using LlmDistill.Generation.Datasets;
using LlmDistill.Generation.Prompts;
using LlmDistill.Gguf;
using LlmDistill.Gguf.Dequantization;
using LlmDistill.Options;
using LlmDistill.Pipeline;
using LlmDistill.Tokenization;
using LlmDistill.Traces;

namespace LlmDistill.Fuzz;

/// <summary>
/// One fuzz target per parser. Each takes the fuzzer's bytes as the parser's whole input and returns true when they
/// parsed, false when the parser refused them with its documented exception; any other exception escapes and is a
/// crash. Parsers that read files get the bytes in a scratch file (see <see cref="Scratch"/>).
/// Compiled into the fuzz app and into LlmDistill.Tests (corpus replay, regressions), so it uses the API those two see.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Largest tensor the GGUF target decodes, in elements (4 MiB of floats): bigger ones are skipped, not read.</summary>
    const long MaxDecodedElements = 1 << 20;

    public static IReadOnlyList<string> Names { get; } =
        ["gguf", "traces", "datasets", "pipeline", "recipe", "prompt", "tokenizer", "answers"];

    /// <summary>Runs <paramref name="target"/> on <paramref name="data"/>: true = valid result, false = documented refusal.</summary>
    public static bool Run(string target, byte[] data) => target switch
    {
        "gguf" => Gguf(data),
        "traces" => Traces(data),
        "datasets" => Datasets(data),
        "pipeline" => Pipeline(data),
        "recipe" => Recipe(data),
        "prompt" => Prompt(data),
        "tokenizer" => Tokenizer(data),
        "answers" => Answers(data),
        _ => throw new ArgumentException($"unknown fuzz target '{target}' (known: {string.Join(", ", Names)})", nameof(target)),
    };

    /// <summary>GGUF: header, metadata (every value read back), tensor table, and every decodable tensor dequantized.</summary>
    static bool Gguf(byte[] data)
    {
        try
        {
            using var file = GgufFile.Open(data, "fuzz.gguf");
            foreach (var (key, value) in file.Metadata) _ = key.Length + (value.ToString()?.Length ?? 0);
            foreach (var tensor in file.Tensors)
            {
                if (GgmlDequantizer.IsSupported(tensor.Type) && tensor.ElementCount <= MaxDecodedElements)
                    _ = file.DequantizeToFloat(tensor);
                else if (tensor.ByteSize <= MaxDecodedElements * 4)
                    _ = file.ReadTensorBytes(tensor);
            }
            return true;
        }
        catch (GgufFormatException) { return false; }
    }

    /// <summary>Trace part files: every row (as the trainer reads them), the provenance, and the size statistics `inspect` shows.</summary>
    static bool Traces(byte[] data)
    {
        string path = Scratch.Write("part-00000.parquet", data);
        try
        {
            foreach (var row in TraceReader.Read(path)) _ = row.Key.Length;
            _ = TraceReader.ReadProvenance(path);
            _ = TraceReader.ReadKeys(path);
            _ = TraceSummary.Read(path);
            return true;
        }
        catch (InvalidDataException) { return false; }
    }

    /// <summary>
    /// Data sets: the first byte picks the reader (its low two bits: 0 JSONL, 1 CSV, 2 Parquet, 3 a GSM8K answer field),
    /// the rest is the input; seeds start with '0'..'3'.
    /// </summary>
    static bool Datasets(byte[] data)
    {
        if (data.Length == 0) return false;
        var body = data.AsSpan(1).ToArray();
        int kind = data[0] & 3;
        if (kind == 3)
        {
            string answer = Encoding.UTF8.GetString(body);
            if (Gsm8kAnswer.TrySplit(answer, out string rationale, out string final)) _ = Gsm8kAnswer.StripCalculatorAnnotations(rationale).Length + final.Length;
            return true;
        }
        string path = Scratch.Write(kind switch { 0 => "data.jsonl", 1 => "data.csv", _ => "data.parquet" }, body);
        try
        {
            foreach (var row in DatasetReader.Open(path)) _ = row.Question.Length;
            return true;
        }
        catch (DatasetFormatException) { return false; }
    }

    /// <summary>pipeline.yaml: parsed and every stage's settings validated (paths it names need not exist).</summary>
    static bool Pipeline(byte[] data)
    {
        string path = Scratch.Write("pipeline.yaml", data);
        try
        {
            _ = PipelineFile.Load(path);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or OptionsException) { return false; }
    }

    /// <summary>A demo recipe JSON file (`demo --recipe FILE`).</summary>
    static bool Recipe(byte[] data)
    {
        string path = Scratch.Write("recipe.json", data);
        try
        {
            _ = DemoRecipe.Parse(path).TeacherKey;
            return true;
        }
        catch (InvalidDataException) { return false; }
    }

    /// <summary>A prompt template YAML file, loaded and rendered once.</summary>
    static bool Prompt(byte[] data)
    {
        string path = Scratch.Write("prompt.yaml", data);
        try
        {
            _ = PromptTemplate.Load(path);
            return true;
        }
        catch (FormatException) { return false; }
    }

    /// <summary>A Hugging Face tokenizer.json imported as a vocabulary.</summary>
    static bool Tokenizer(byte[] data)
    {
        string path = Scratch.Write("tokenizer.json", data);
        try
        {
            _ = HuggingFaceTokenizerImport.Load(path);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException) { return false; }
    }

    /// <summary>The answer extractor on any text: it has no refusal, every input gives an answer or none.</summary>
    static bool Answers(byte[] data)
    {
        var answer = AnswerExtractor.Default.Extract(Encoding.UTF8.GetString(data));
        _ = answer.Answer?.Length;
        return true;
    }
}

/// <summary>A per-process scratch folder (in /dev/shm when there is one: no disk writes per execution).</summary>
public static class Scratch
{
    static readonly string Folder = CreateFolder();

    public static string Write(string name, byte[] data)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, data);
        return path;
    }

    static string CreateFolder()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string folder = Path.Combine(root, $"llmdistill-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } };
        return folder;
    }
}
