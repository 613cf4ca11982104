using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LlmDistill.Tests.Fixtures;

/// <summary>
/// llama.cpp's own `llama-server` (a binary built from llama.cpp's sources, named by <see cref="Variable"/>) started on a
/// free loopback port over a GGUF, ready once /health answers 200; disposing stops it. Its output is kept for messages.
/// Shared by the opt-in llama-server test and the serve benchmark (linked there).
/// </summary>
public sealed class LlamaServerProcess : IDisposable
{
    /// <summary>The environment variable that names the llama-server binary.</summary>
    public const string Variable = "LLMDISTILL_LLAMA_SERVER";

    readonly Process _process;
    readonly StringBuilder _log = new();

    /// <summary>The binary named by <see cref="Variable"/>, or null when unset.</summary>
    public static string? Binary => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? path : null;

    /// <summary>
    /// Starts the server: parallel slots of contextPerSlot KV cells each (-np, -c parallel × contextPerSlot, continuous
    /// batching), threads llama.cpp threads, plus any extra arguments. Waits up to startSeconds for /health.
    /// </summary>
    public LlamaServerProcess(string binary, string model, int parallel, int contextPerSlot, int threads, IEnumerable<string>? extra = null, int startSeconds = 120)
    {
        if (!File.Exists(binary)) throw new FileNotFoundException($"{Variable} names {binary}, which does not exist");
        Port = FreePort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in (string[])["-m", model, "--host", "127.0.0.1", "--port", Port.ToString(), "-np", parallel.ToString(),
                     "-c", (parallel * contextPerSlot).ToString(), "--cont-batching", "-t", threads.ToString(), "-tb", threads.ToString()])
            start.ArgumentList.Add(a);
        foreach (string a in extra ?? []) start.ArgumentList.Add(a);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{binary} did not start");
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"llama-server exited with code {_process.ExitCode} while starting:\n{Log}");
            try
            {
                // 503 while the model loads, 200 once slots are ready.
                if (http.GetAsync(new Uri(BaseUrl, "/health")).GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (clock.Elapsed.TotalSeconds > startSeconds)
            {
                Dispose();
                throw new TimeoutException($"llama-server was not ready within {startSeconds} s:\n{Log}");
            }
            Thread.Sleep(200);
        }
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>http://127.0.0.1:port (the OpenAI API is under /v1).</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    /// <summary>What the server printed so far.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
