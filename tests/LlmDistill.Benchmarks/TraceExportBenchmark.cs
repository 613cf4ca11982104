using System.Diagnostics;
using LlmDistill.Tests.Traces;
using LlmDistill.Traces;
using LlmDistill.Traces.Export;

namespace LlmDistill.Benchmarks;

/// <summary>
/// Export throughput for every format on a synthetic trace folder (SyntheticTraces, shared with the tests: k = 20,
/// Zipf ids, peaked top-k), and the output's size per completion token beside the compact traces'. Rows cycle
/// through a pool of distinct rows (new keys each time) so that making the folder stays quick; a row group (256 rows)
/// never holds the same row twice, so compression sees no repeats the pool would not have.
/// usage: dotnet run -c Release --project tests/LlmDistill.Benchmarks -- --traces-export [--rows 100000] [--tokens 16,64] [--top-k 20] [--pool 1000] [--folder path]
/// </summary>
static class TraceExportBenchmark
{
    public static int Run(string[] args)
    {
        int rows = Program.IntArg(args, "--rows", 100_000), topK = Program.IntArg(args, "--top-k", 20), pool = Program.IntArg(args, "--pool", 1000);
        int[] tokens = (Program.StringArg(args, "--tokens") ?? "16,64").Split(',').Select(int.Parse).ToArray();
        string root = Program.StringArg(args, "--folder") ?? Path.Combine(Path.GetTempPath(), $"llmdistill-export-bench-{rows}-{tokens[0]}-{tokens[1]}-k{topK}");
        string traces = Path.Combine(root, "traces");
        if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} (other processes share these cores)");

        if (!Directory.Exists(traces))
        {
            var clock = Stopwatch.StartNew();
            var synthetic = new SyntheticTraces(seed: 7, topK: topK);
            var rowPool = Enumerable.Range(0, pool).Select(i => synthetic.Row("bench", "train", i, 0, tokens[0], tokens[1]) with { Keep = i % 10 != 0 }).ToArray();
            using (var writer = new TraceWriter(traces, Provenance(topK)))
                for (int i = 0; i < rows; i++) writer.Write(rowPool[i % pool] with { ExampleId = $"ex-{i:D7}" });
            Console.WriteLine($"wrote {rows:N0} rows to {traces} in {clock.Elapsed.TotalSeconds:F1} s");
        }
        var stats = TraceFileStats.Measure(traces);
        Console.WriteLine($"{Environment.ProcessorCount} cores; {stats.Rows:N0} rows, {stats.CompletionTokens:N0} completion tokens ({tokens[0]}–{tokens[1]} per row), k = {topK}, " +
                          $"90 % kept; traces {stats.FileBytes / 1e6:F1} MB = {stats.BytesPerToken:F1} bytes per completion token");

        TraceReader.Read(traces).Take(2000).Count(); // JIT warm-up of the reader, which every export then uses
        var read = Stopwatch.StartNew();
        long readRows = TraceReader.Read(traces).LongCount();
        double readSeconds = read.Elapsed.TotalSeconds;

        Console.WriteLine();
        Console.WriteLine("| format | rows written | wall s | rows/s | output MB | MB/s | bytes per completion token |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| (traces, read and decoded only) | {readRows:N0} | {readSeconds:F1} | {readRows / readSeconds:N0} | {stats.FileBytes / 1e6:F1} | {stats.FileBytes / 1e6 / readSeconds:F1} | {stats.BytesPerToken:F1} |");
        var runs = new (string Name, TraceExportFormat Format, KdLogprobForm Form)[]
        {
            ("chat-jsonl", TraceExportFormat.ChatJsonl, default), ("sharegpt", TraceExportFormat.Sharegpt, default),
            ("alpaca", TraceExportFormat.Alpaca, default), ("parquet-decoded", TraceExportFormat.ParquetDecoded, default),
            ("kd-topk (lists)", TraceExportFormat.KdTopk, KdLogprobForm.Lists), ("kd-topk (openai)", TraceExportFormat.KdTopk, KdLogprobForm.Openai),
        };
        foreach (var (name, format, form) in runs)
        {
            string output = Path.Combine(root, "out" + format.FileExtension());
            var s = TraceExport.Run(new TraceExportSettings { TracesPath = traces, OutputPath = output, Format = format, KdLogprobs = form });
            Console.WriteLine($"| {name} | {s.RowsWritten:N0} | {s.Wall.TotalSeconds:F1} | {s.RowsPerSecond:N0} | {s.OutputBytes / 1e6:F1} | {s.MegabytesPerSecond:F1} | {s.BytesPerCompletionToken:F1} |");
            File.Delete(output);
            if (s.ProvenancePath is { } sidecar) File.Delete(sidecar);
        }
        Console.WriteLine("(bytes per completion token: of the rows written for the exports, of all rows for the traces)");
        return 0;
    }

    static TraceProvenance Provenance(int topK) => new()
    {
        TeacherFileName = "synthetic", TeacherFileSize = 0, TeacherSha256 = new string('0', 64), Architecture = "qwen2", Quantization = "none",
        TokenizerFingerprint = new string('0', 64), Temperature = 0.7f, TopP = 0.95f, TopKSampling = 40, Seed = 7, CaptureTopK = topK,
        ContextSize = 4096, MaxTokens = 512, PromptTemplateName = "synthetic", PromptTemplateSha256 = new string('0', 64), ToolVersion = "bench",
    };
}
