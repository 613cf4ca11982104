using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using LlmDistill.Options;
using LlmDistill.Teacher;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlmDistill.Serving;

/// <summary>
/// `llmdistill serve`: an OpenAI-compatible HTTP server (ASP.NET Core minimal APIs on Kestrel) over one
/// <see cref="ServedModel"/>. Endpoints: GET /health, GET /v1/models, POST /v1/chat/completions and /v1/completions
/// (streaming SSE or not; logprobs with up to 20 alternatives, token ids as an extension), and POST /v1/score (the model's
/// log-probabilities for given text, <see cref="ScoreEndpoint"/>). A full queue answers 429, an
/// oversized body 413, bad JSON or fields 400, another model 404, a missing key 401, all as OpenAI error objects. A client
/// that disconnects cancels its request; shutdown finishes the requests in flight.
/// </summary>
public sealed class OpenAiServer : IAsyncDisposable
{
    static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never };

    readonly WebApplication _app;
    readonly bool _ownsModel;

    OpenAiServer(WebApplication app, ServedModel model, bool ownsModel, ServeSettings settings)
    {
        _app = app;
        Model = model;
        _ownsModel = ownsModel;
        Settings = settings;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Address = new Uri(addresses.First());
    }

    /// <summary>Where it listens, e.g. http://127.0.0.1:8080/ (the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>The OpenAI base URL clients use: <see cref="Address"/> + v1/.</summary>
    public Uri BaseUrl => new(Address, "v1/");

    /// <summary>The model served.</summary>
    public ServedModel Model { get; }

    /// <summary>The settings it runs with.</summary>
    public ServeSettings Settings { get; }

    /// <summary>Validates the settings, loads the model (unless <paramref name="model"/> is given, then shared) and starts listening.</summary>
    public static async Task<OpenAiServer> StartAsync(ServeSettings settings, ServedModel? model = null, CancellationToken cancel = default)
    {
        OptionsException.ThrowIfInvalid(settings);
        bool owns = model is null;
        model ??= ServedModel.Load(settings.ModelPath, settings.Engine, settings.QueueLimit, settings.ModelName, settings.AdapterPath, settings.PromptCache);
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(settings.ShutdownSeconds));
            builder.WebHost.ConfigureKestrel(o =>
            {
                o.Limits.MaxRequestBodySize = settings.MaxRequestBytes;
                o.Listen(settings.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(settings.Host), settings.Port);
            });
            var app = builder.Build();
            Map(app, model, settings);
            await app.StartAsync(cancel).ConfigureAwait(false);
            return new OpenAiServer(app, model, owns, settings);
        }
        catch
        {
            if (owns) model.Dispose();
            throw;
        }
    }

    /// <summary>Completes when the server stops (<paramref name="cancel"/>, e.g. Ctrl+C, stops it gracefully).</summary>
    public async Task RunUntilCancelledAsync(CancellationToken cancel)
    {
        try { await Task.Delay(Timeout.Infinite, cancel).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    /// <summary>Stops listening, lets requests in flight finish (up to ShutdownSeconds), then frees the model.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Model.Shutdown(TimeSpan.FromSeconds(Settings.ShutdownSeconds));
        if (_ownsModel) Model.Dispose();
    }

    static void Map(WebApplication app, ServedModel model, ServeSettings settings)
    {
        byte[]? keyHash = settings.ApiKey is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(settings.ApiKey));
        app.Use(async (context, next) =>
        {
            try
            {
                if (keyHash is not null && context.Request.Path.StartsWithSegments("/v1") && !Authorized(context, keyHash))
                    throw new ApiError(401, "invalid_request_error", "Missing or wrong API key: send 'Authorization: Bearer <key>'.", code: "invalid_api_key");
                await next(context);
            }
            catch (ApiError e) when (!context.Response.HasStarted)
            {
                await WriteJson(context, e.Status, e.Body);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                string message = e.StatusCode == 413 ? $"The request body is larger than {settings.MaxRequestBytes} bytes." : e.Message;
                await WriteJson(context, e.StatusCode, new ApiError(e.StatusCode, "invalid_request_error", message).Body);
            }
        });

        app.MapGet("/health", () => Results.Json(new { status = "ok", model = model.Name }));
        app.MapGet("/v1/models", () => Results.Json(new
        {
            @object = "list",
            data = new[] { new { id = model.Name, @object = "model", created = Created(model), owned_by = "llmdistill" } },
        }));
        app.MapPost("/v1/chat/completions", context => Complete(context, model, chat: true));
        app.MapPost("/v1/completions", context => Complete(context, model, chat: false));
        var scoring = new ScoreEndpoint(model);
        app.Lifetime.ApplicationStopped.Register(scoring.Dispose);
        app.MapPost("/v1/score", async context =>
        {
            object result;
            try { result = await scoring.Score(await ReadBody(context), context.RequestAborted); }
            catch (Exception e) when (e is ArgumentException or Native.LlamaException) { throw ApiError.BadRequest(e.Message); }
            await WriteJson(context, 200, result);
        });
    }

    static async Task<JsonElement> ReadBody(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest($"The request body is not valid JSON: {e.Message}");
        }
    }

    static bool Authorized(HttpContext context, byte[] keyHash)
    {
        string header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return false;
        // Hashes first, so the comparison takes the same time whatever the given key's length.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim())), keyHash);
    }

    static long Created(ServedModel model) => new DateTimeOffset(File.GetLastWriteTimeUtc(model.Model.Path)).ToUnixTimeSeconds();

    static async Task Complete(HttpContext context, ServedModel model, bool chat)
    {
        JsonElement body = await ReadBody(context);
        OpenAiRequest request;
        try
        {
            request = OpenAiRequest.Read(body, model, chat);
        }
        catch (Exception e) when (e is ArgumentException or Native.LlamaException)
        {
            throw ApiError.BadRequest(e.Message);
        }
        string id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (request.Stream) await Stream(context, model, request, chat, id, created);
        else await Whole(context, model, request, chat, id, created);
    }

    static async Task Whole(HttpContext context, ServedModel model, OpenAiRequest request, bool chat, string id, long created)
    {
        Completion c = await Run(model, request, null, context.RequestAborted);
        var tokens = request.Logprobs ? TokenLogprob.From(model.Model, c) : null;
        string finish = Finish(c.FinishReason);
        object choice = chat
            ? new { index = 0, message = new { role = "assistant", content = c.Text }, logprobs = tokens is null ? null : ChatLogprobs(tokens, request.TopLogprobs), finish_reason = finish }
            : new { index = 0, text = c.Text, logprobs = tokens is null ? null : CompletionLogprobs(tokens, request.TopLogprobs), finish_reason = finish };
        await WriteJson(context, 200, new
        {
            id, @object = chat ? "chat.completion" : "text_completion", created, model = model.Name,
            choices = new[] { choice },
            usage = Usage(c),
        });
    }

    static async Task Stream(HttpContext context, ServedModel model, OpenAiRequest request, bool chat, string id, long created)
    {
        // The generator thread only queues chunks; this request's own task writes them, so a slow client never stalls a decode.
        var chunks = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        object Chunk(object choice, object? usage = null) => new
        {
            id, @object = chat ? "chat.completion.chunk" : "text_completion", created, model = model.Name, choices = new[] { choice }, usage,
        };
        if (chat) chunks.Writer.TryWrite(Chunk(new { index = 0, delta = new { role = "assistant", content = "" }, logprobs = (object?)null, finish_reason = (string?)null }));
        Task<Completion> running = Run(model, request, token =>
        {
            if (token.TextDelta.Length == 0 && !request.Logprobs) return;
            object? logprobs = null;
            if (request.Logprobs)
            {
                var one = new[] { TokenLogprob.From(model.Model, token) };
                logprobs = chat ? ChatLogprobs(one, request.TopLogprobs) : CompletionLogprobs(one, request.TopLogprobs);
            }
            chunks.Writer.TryWrite(chat
                ? Chunk(new { index = 0, delta = new { content = token.TextDelta }, logprobs, finish_reason = (string?)null })
                : Chunk(new { index = 0, text = token.TextDelta, logprobs, finish_reason = (string?)null }));
        }, context.RequestAborted);
        _ = running.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                Completion c = t.Result;
                chunks.Writer.TryWrite(chat
                    ? Chunk(new { index = 0, delta = new { }, logprobs = (object?)null, finish_reason = Finish(c.FinishReason) })
                    : Chunk(new { index = 0, text = "", logprobs = (object?)null, finish_reason = Finish(c.FinishReason) }));
                if (request.IncludeUsage) chunks.Writer.TryWrite(new { id, @object = chat ? "chat.completion.chunk" : "text_completion", created, model = model.Name, choices = Array.Empty<object>(), usage = Usage(c) });
            }
            chunks.Writer.TryComplete(t.Exception?.InnerException);
        }, TaskScheduler.Default);

        // Errors found before the first token (full queue, a bad prompt) still get a JSON status, not a broken stream.
        await Task.WhenAny(running, chunks.Reader.WaitToReadAsync(context.RequestAborted).AsTask());
        if (running.IsFaulted) await running;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync("data: " + JsonSerializer.Serialize(chunk, Json) + "\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
            await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or ApiError)
        {
            // The client went away (its request is cancelled and its sequence freed), or the stream broke mid-way.
        }
    }

    static async Task<Completion> Run(ServedModel model, OpenAiRequest request, TokenObserver? observer, CancellationToken cancel)
    {
        Completion c;
        try
        {
            c = await model.CompleteAsync(request.Prompt, request.Sampling, request.MaxTokens, request.Stop, observer, cancel);
        }
        catch (QueueFullException e)
        {
            throw new ApiError(429, "rate_limit_error", $"The server is busy: {e.Message}.", code: "rate_limit_exceeded");
        }
        catch (ObjectDisposedException)
        {
            throw new ApiError(503, "server_error", "The server is shutting down.");
        }
        if (c.FinishReason == FinishReason.Error) throw ApiError.BadRequest(c.Error ?? "the request could not run");
        return c;
    }

    static string Finish(FinishReason reason) => GgufChatClient.Reason(reason).Value;

    static object Usage(Completion c) => new { prompt_tokens = c.PromptTokenCount, completion_tokens = c.TokenIds.Length, total_tokens = c.PromptTokenCount + c.TokenIds.Length };

    /// <summary>Chat logprobs: {"content": [{token, logprob, bytes, id, top_logprobs: [{token, logprob, bytes, id}]}]}.</summary>
    static object ChatLogprobs(IReadOnlyList<TokenLogprob> tokens, int top) => new
    {
        content = tokens.Select(t => new
        {
            token = t.Token, logprob = t.Logprob, bytes = t.Bytes.Select(b => (int)b), id = t.Id,
            top_logprobs = t.Top.Take(top).Select(a => new { token = a.Token, logprob = a.Logprob, bytes = a.Bytes.Select(b => (int)b), id = a.Id }),
        }),
    };

    /// <summary>Legacy completions logprobs: parallel arrays, plus token_ids, top_token_ids and top_token_logprobs as extensions.</summary>
    static object CompletionLogprobs(IReadOnlyList<TokenLogprob> tokens, int top)
    {
        var offsets = new int[tokens.Count];
        for (int i = 1; i < tokens.Count; i++) offsets[i] = offsets[i - 1] + tokens[i - 1].Token.Length;
        return new
        {
            tokens = tokens.Select(t => t.Token),
            token_logprobs = tokens.Select(t => t.Logprob),
            top_logprobs = tokens.Select(t => t.Top.Take(top).GroupBy(a => a.Token).ToDictionary(g => g.Key, g => g.First().Logprob)),
            text_offset = offsets,
            token_ids = tokens.Select(t => t.Id),
            // top_logprobs is keyed by text, so tokens that render alike collapse there: the ids and logprobs in full.
            top_token_ids = tokens.Select(t => t.Top.Take(top).Select(a => a.Id)),
            top_token_logprobs = tokens.Select(t => t.Top.Take(top).Select(a => a.Logprob)),
        };
    }

    static async Task WriteJson(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
