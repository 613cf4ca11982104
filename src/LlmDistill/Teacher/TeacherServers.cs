using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LlmDistill.Teacher;

/// <summary>
/// The servers of a remote teacher (<see cref="RemoteTeacherOptions"/>) as one pool, shared by every client of it (remote
/// generation, remote scoring): base URLs, the model id, one HTTP client carrying the API key, at most PerServer
/// requests in flight on each server, and POSTs retried with backoff on 429, 5xx and time-outs.
/// </summary>
internal sealed class TeacherServers : IDisposable
{
    readonly RemoteTeacherOptions _options;
    readonly Uri[] _servers;
    readonly HttpClient _http;

    /// <summary>Connects (asks the first server for its model id unless options name one).</summary>
    public TeacherServers(RemoteTeacherOptions options, int defaultConcurrency)
    {
        if (!options.Enabled) throw new ArgumentException("a remote teacher needs at least one server URL");
        _options = options;
        PerServer = options.Concurrency ?? defaultConcurrency;
        _servers = options.Urls.Select(u => new Uri(u.TrimEnd('/') + "/")).ToArray();
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds) };
        if (options.ApiKeyEnv is { } variable)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Environment.GetEnvironmentVariable(variable));
        ModelId = options.Model ?? FirstModel(_servers[0]);
    }

    /// <summary>The model id requested from the servers.</summary>
    public string ModelId { get; }

    /// <summary>The servers' base URLs (each ending in '/').</summary>
    public IReadOnlyList<Uri> Servers => _servers;

    /// <summary>Requests in flight per server.</summary>
    public int PerServer { get; }

    string FirstModel(Uri server)
    {
        try
        {
            using var response = _http.GetAsync(new Uri(server, "models")).GetAwaiter().GetResult();
            string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{server}models answered {(int)response.StatusCode}: {Shorten(body)}");
            return JsonDocument.Parse(body).RootElement.GetProperty("data")[0].GetProperty("id").GetString()
                ?? throw new InvalidDataException($"{server}models lists a model without an id");
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"the remote teacher at {server} cannot be reached: {e.Message}", e);
        }
    }

    /// <summary>
    /// Sends every request (lazily: at most PerServer in flight on each server, each to the least loaded one) and yields
    /// each answer as it arrives, so answers come back in completion order, not request order. A request that failed
    /// after its retries ends the enumeration with its exception.
    /// </summary>
    public IEnumerable<TAnswer> Spread<TRequest, TAnswer>(IEnumerable<TRequest> requests, Func<TRequest, Uri, CancellationToken, Task<TAnswer>> send,
        CancellationToken cancel)
    {
        var load = new int[_servers.Length];
        var inFlight = new List<(Task<TAnswer> Task, int Server)>();
        using var pending = requests.GetEnumerator();
        bool more = true;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            while (more && inFlight.Count < _servers.Length * PerServer && (more = pending.MoveNext()))
            {
                int server = Array.IndexOf(load, load.Min());
                load[server]++;
                inFlight.Add((send(pending.Current, _servers[server], cancel), server));
            }
            if (inFlight.Count == 0) yield break;
            Task.WaitAny([.. inFlight.Select(f => (Task)f.Task)], cancel);
            foreach (var finished in inFlight.Where(f => f.Task.IsCompleted).ToList())
            {
                inFlight.Remove(finished);
                load[finished.Server]--;
                yield return finished.Task.GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>
    /// POSTs <paramref name="json"/> to <paramref name="path"/> under <paramref name="server"/>, retrying with exponential
    /// backoff (or the server's Retry-After) on 429, 5xx and time-outs, at most Retries attempts. A 400 is the server
    /// refusing this request (Refused: its error message); any other 4xx, or the last failed attempt, throws.
    /// </summary>
    public async Task<ServerAnswer> PostAsync(Uri server, string path, string json, CancellationToken cancel)
    {
        var url = new Uri(server, path);
        for (int attempt = 1; ; attempt++)
        {
            string? retryReason;
            TimeSpan? wait = null;
            try
            {
                using var response = await _http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), cancel).ConfigureAwait(false);
                string text = await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return new ServerAnswer(text, null);
                if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
                {
                    retryReason = $"{(int)response.StatusCode} {Shorten(text)}";
                    wait = response.Headers.RetryAfter?.Delta;
                }
                else if (response.StatusCode == HttpStatusCode.BadRequest) return new ServerAnswer(text, ErrorMessage(text));
                else throw new InvalidOperationException($"the remote teacher at {url} answered {(int)response.StatusCode}: {Shorten(text)}");
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancel.IsCancellationRequested))
            {
                retryReason = e is TaskCanceledException ? $"no answer within {_options.TimeoutSeconds} s" : e.Message;
            }
            if (attempt >= _options.Retries)
                throw new InvalidOperationException($"the remote teacher at {url} failed {attempt} times; last: {retryReason}");
            await Task.Delay(wait ?? TimeSpan.FromMilliseconds(250 * Math.Pow(2, attempt - 1)), cancel).ConfigureAwait(false);
        }
    }

    /// <summary>An OpenAI error object's message ({"error": {"message": ...}}), else the body itself, shortened.</summary>
    static string ErrorMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                return message.GetString()!;
        }
        catch (JsonException)
        {
        }
        return Shorten(body);
    }

    /// <summary>A server's answer text cut to 300 characters for an error message.</summary>
    public static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public void Dispose() => _http.Dispose();
}

/// <summary>A server's successful answer (Text) or, with a 400, its refusal (Refused: the error message; Text: the body).</summary>
internal readonly record struct ServerAnswer(string Text, string? Refused);
