using System.Diagnostics;
using System.Text;
using LlmDistill.Teacher;
using LlmDistill.Tokenization;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Benchmarks;

/// <summary>
/// Tokenizer throughput, MB/s of UTF-8 text, of the rebuilt managed tokenizer against llama.cpp's llama_tokenize on the
/// same text and vocabulary (each npm vocabulary written into a tiny GGUF, as the tokenizer tests do), one thread each,
/// alternating, median of the repeats. The text is the tests' varied strings (prose, code, numbers, whitespace, CJK,
/// emoji, other scripts), joined 50 to a document; special tokens are parsed, no BOS/EOS added. The ids are checked equal.
/// usage: dotnet run -c Release --project tests/LlmDistill.Benchmarks -- --tokenizer [--vocabularies llama3,gemma3] [--strings 20000] [--repeats 5]
/// </summary>
static class TokenizerBenchmark
{
    static readonly string[] All = ["llama2", "llama3", "llama3_1", "gemma3", "deepseek_v3", "gpt4o", "qwen3"];

    public static int Run(string[] args)
    {
        string[] names = Program.StringArg(args, "--vocabularies")?.Split(',') ?? All;
        int strings = Program.IntArg(args, "--strings", 20000), repeats = Program.IntArg(args, "--repeats", 5);
        string work = Directory.CreateTempSubdirectory("llmdistill-tokenizer-bench-").FullName;
        try
        {
            Console.WriteLine($"{Environment.ProcessorCount} cores; one thread each; median of {repeats}");
            Console.WriteLine("| vocabulary | tokens | model / pre | text MB | ids | managed MB/s | llama_tokenize MB/s | managed / llama.cpp |");
            Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|");
            foreach (string name in names)
            {
                string folder = Path.Combine(AppContext.BaseDirectory, "testdata", name);
                var vocabulary = HuggingFaceTokenizerImport.Load(Path.Combine(folder, "tokenizer.json"), Path.Combine(folder, "tokenizer_config.json"));
                string gguf = Path.Combine(work, name + ".gguf");
                VocabularyGguf.Write(gguf, vocabulary);
                using var llamaCpp = GgufModel.Load(gguf);
                var tokenizer = VocabularyTokenizer.Create(vocabulary);

                var specials = Enumerable.Range(0, vocabulary.Count).Where(id => vocabulary.TokenTypes[id] == TokenType.Control).Take(4).Select(id => vocabulary.Tokens[id]).ToList();
                var documents = TokenizerTestStrings.Create(strings, specials).Chunk(50).Select(c => string.Join('\n', c)).ToArray();
                double megabytes = documents.Sum(d => Encoding.UTF8.GetByteCount(d)) / 1e6;

                long ids = 0;
                foreach (var d in documents)
                {
                    int[] managed = tokenizer.Encode(d, addSpecial: false), reference = llamaCpp.Vocab.Tokenize(d, false, true);
                    if (!managed.AsSpan().SequenceEqual(reference)) throw new InvalidOperationException($"{name}: the managed ids differ from llama.cpp's on a document");
                    ids += managed.Length;
                }
                var ours = new List<double>();
                var theirs = new List<double>();
                for (int r = 0; r < repeats; r++)
                {
                    var clock = Stopwatch.StartNew();
                    foreach (var d in documents) tokenizer.Encode(d, addSpecial: false);
                    ours.Add(megabytes / clock.Elapsed.TotalSeconds);
                    clock.Restart();
                    foreach (var d in documents) llamaCpp.Vocab.Tokenize(d, false, true);
                    theirs.Add(megabytes / clock.Elapsed.TotalSeconds);
                }
                double Median(List<double> x) => x.Order().ElementAt(x.Count / 2);
                Console.WriteLine($"| {name} | {vocabulary.Count:N0} | {vocabulary.Model.ToGgufName()} / {vocabulary.Pre} | {megabytes:F2} | {ids:N0} | {Median(ours):F2} | {Median(theirs):F2} | {Median(ours) / Median(theirs):F2} |");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
