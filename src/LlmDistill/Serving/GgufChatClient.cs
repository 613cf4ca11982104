using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using LlmDistill.Teacher;
using Microsoft.Extensions.AI;

namespace LlmDistill.Serving;

/// <summary>
/// A GGUF model (a teacher, or an exported student) as a Microsoft.Extensions.AI <see cref="IChatClient"/>; for Semantic
/// Kernel, <c>client.AsChatCompletionService()</c>. Concurrent calls share one <see cref="ServedModel"/> (continuous
/// batching). Options: Temperature (default 1, as OpenAI's), TopP, TopK, MaxOutputTokens (default 256), StopSequences,
/// Seed. Each response carries usage and, in AdditionalProperties["logprobs"], one <see cref="TokenLogprob"/> per token.
/// </summary>
public sealed class GgufChatClient : IChatClient
{
    /// <summary>Completion length when the options do not say.</summary>
    public const int DefaultMaxOutputTokens = 256;

    readonly bool _ownsModel;

    /// <summary>A client over a model already served (shared with other clients or an HTTP server).</summary>
    public GgufChatClient(ServedModel model, bool ownsModel = false)
    {
        Served = model;
        _ownsModel = ownsModel;
        Metadata = new ChatClientMetadata("llmdistill", null, model.Name);
    }

    /// <summary>Loads a GGUF and serves it to this client alone (disposed with it).</summary>
    public static GgufChatClient Load(string path, EngineOptions? engine = null, string? adapterPath = null) => new(ServedModel.Load(path, engine, adapterPath: adapterPath), ownsModel: true);

    /// <summary>The served model behind this client.</summary>
    public ServedModel Served { get; }

    /// <summary>Provider "llmdistill", the model's name as its id.</summary>
    public ChatClientMetadata Metadata { get; }

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (prompt, sampling, maxTokens, stops) = Prepare(messages, options);
        Completion c = await Served.CompleteAsync(prompt, sampling, maxTokens, stops, cancel: cancellationToken).ConfigureAwait(false);
        ThrowIfFailed(c);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, c.Text))
        {
            ModelId = Served.Name,
            FinishReason = Reason(c.FinishReason),
            Usage = Usage(c.PromptTokenCount, c.TokenIds.Length),
            AdditionalProperties = new() { ["logprobs"] = TokenLogprob.From(Served.Model, c) },
        };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (prompt, sampling, maxTokens, stops) = Prepare(messages, options);
        var updates = Channel.CreateUnbounded<ChatResponseUpdate>(new UnboundedChannelOptions { SingleReader = true });
        string id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        Task<Completion> running = Served.CompleteAsync(prompt, sampling, maxTokens, stops, token =>
        {
            if (token.TextDelta.Length == 0) return;
            updates.Writer.TryWrite(new ChatResponseUpdate(ChatRole.Assistant, token.TextDelta)
            {
                ResponseId = id, MessageId = id, ModelId = Served.Name,
                AdditionalProperties = new() { ["logprobs"] = new[] { TokenLogprob.From(Served.Model, token) } },
            });
        }, cancellationToken);
        _ = running.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && t.Result.FinishReason != FinishReason.Error)
                updates.Writer.TryWrite(new ChatResponseUpdate
                {
                    Role = ChatRole.Assistant, ResponseId = id, MessageId = id, ModelId = Served.Name, FinishReason = Reason(t.Result.FinishReason),
                    Contents = [new UsageContent(Usage(t.Result.PromptTokenCount, t.Result.TokenIds.Length))],
                });
            updates.Writer.TryComplete(t.IsCompletedSuccessfully && t.Result.FinishReason == FinishReason.Error
                ? new InvalidOperationException(t.Result.Error) : t.Exception?.InnerException);
        }, TaskScheduler.Default);
        await foreach (var update in updates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            yield return update;
        if (running.IsCanceled || (running.IsFaulted && running.Exception!.InnerException is OperationCanceledException))
            throw new OperationCanceledException(cancellationToken);
    }

    (int[] Prompt, SamplingSettings Sampling, int MaxTokens, IReadOnlyList<string> Stops) Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        int[] prompt = ChatPrompt.Tokens(Served.Model, messages.Select(m => (m.Role.Value, m.Text)));
        var sampling = new SamplingSettings(options?.Temperature ?? 1f, options?.TopK ?? 0, options?.TopP ?? 1f, 0f, options?.Seed ?? 0);
        return (prompt, sampling, options?.MaxOutputTokens ?? DefaultMaxOutputTokens, options?.StopSequences?.ToArray() ?? []);
    }

    static void ThrowIfFailed(Completion c)
    {
        if (c.FinishReason == FinishReason.Error) throw new ArgumentException(c.Error);
    }

    static UsageDetails Usage(int prompt, int completion) =>
        new() { InputTokenCount = prompt, OutputTokenCount = completion, TotalTokenCount = prompt + completion };

    /// <summary>OpenAI's finish reasons: stop (end of generation or a stop string) or length.</summary>
    internal static ChatFinishReason Reason(FinishReason reason) => reason switch
    {
        FinishReason.Length => ChatFinishReason.Length,
        _ => ChatFinishReason.Stop,
    };

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType == typeof(ServedModel) ? Served
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsModel) Served.Dispose();
    }
}
