using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmDistill.Serving;

namespace LlmDistill.Benchmarks;

/// <summary>
/// `serve` under load: C concurrent streaming clients, each sending R requests one after another (a prompt of ~64 tokens,
/// 64 generated tokens at temperature 0 with ignore-length-free max_tokens), against our server started in-process or
/// any OpenAI-compatible server given by --url (llama.cpp's llama-server on the same model). Reports requests/s,
/// generated tokens/s, time to first token and time per token after it (p50 / p99).
/// usage: dotnet run -c Release --project tests/LlmDistill.Benchmarks -- --serve [--clients 16,64] [--requests 2] [--url http://127.0.0.1:8080]
/// </summary>
static class ServeBenchmark
{
    public static int Run(string[] args)
    {
        int[] clientCounts = (Program.StringArg(args, "--clients") ?? "16,64").Split(',').Select(int.Parse).ToArray();
        int perClient = Program.IntArg(args, "--requests", 2), generate = Program.IntArg(args, "--generate", 64);
        string? url = Program.StringArg(args, "--url");
        string model = Program.StringArg(args, "--model") ?? BenchmarkModel.EnsureQwen05BShape();
        OpenAiServer? server = null;
        if (url is null)
        {
            server = OpenAiServer.StartAsync(new ServeSettings
            {
                ModelPath = model, Port = 0, QueueLimit = 1024, ModelName = "bench",
                Engine = new() { Parallel = Program.IntArg(args, "--parallel", 16), ContextPerSequence = 256 },
            }).GetAwaiter().GetResult();
            url = server.Address.ToString().TrimEnd('/');
        }
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(30) };
            Console.WriteLine($"server {(server is null ? url : "llmdistill serve (in-process)")}, model {Path.GetFileName(model)}, {Environment.ProcessorCount} cores, {generate} generated tokens per request, {perClient} requests per client");
            Console.WriteLine("| clients | requests/s | generated tokens/s | TTFT p50 s | TTFT p99 s | per token p50 ms | per token p99 ms | wall s |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            One(http, 1, 1, generate); // warm-up
            foreach (int clients in clientCounts)
            {
                var clock = Stopwatch.StartNew();
                var results = One(http, clients, perClient, generate);
                double wall = clock.Elapsed.TotalSeconds;
                var ttft = results.Select(r => r.Ttft).Order().ToArray();
                var perToken = results.Select(r => r.PerToken).Order().ToArray();
                int tokens = results.Sum(r => r.Tokens);
                Console.WriteLine($"| {clients} | {results.Count / wall:F2} | {tokens / wall:F1} | {P(ttft, 0.5):F2} | {P(ttft, 0.99):F2} | {1000 * P(perToken, 0.5):F0} | {1000 * P(perToken, 0.99):F0} | {wall:F1} |");
            }
        }
        finally
        {
            server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }

    static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    sealed record Result(double Ttft, double PerToken, int Tokens);

    static List<Result> One(HttpClient http, int clients, int perClient, int generate)
    {
        var all = new List<Result>();
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = new List<Result>();
            for (int r = 0; r < perClient; r++) mine.Add(await Stream(http, $"Request {c}-{r}: " + string.Concat(Enumerable.Repeat("tell me a long story about apples and pears. ", 6)), generate));
            return mine;
        })).ToArray();
        foreach (var t in tasks) all.AddRange(t.GetAwaiter().GetResult());
        return all;
    }

    static async Task<Result> Stream(HttpClient http, string prompt, int generate)
    {
        // ignore_eos (llama-server) keeps random-weight models from stopping early; our server ignores unknown fields and
        // the benchmark model has no end token it would pick at temperature 0 within 64 tokens in practice.
        string body = "{\"prompt\":" + JsonSerializer.Serialize(prompt) + ",\"temperature\":0,\"max_tokens\":" + generate + ",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"ignore_eos\":true}";
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        double first = -1;
        int chunks = 0, tokens = -1;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            if (line == "data: [DONE]") break;
            if (first < 0) first = clock.Elapsed.TotalSeconds;
            chunks++;
            if (line.Contains("\"completion_tokens\"", StringComparison.Ordinal))
                tokens = JsonDocument.Parse(line[6..]).RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        }
        double total = clock.Elapsed.TotalSeconds;
        if (tokens < 0) tokens = chunks; // a server that reports no usage: one chunk per token
        return new Result(first, tokens > 1 ? (total - first) / (tokens - 1) : 0, tokens);
    }
}
