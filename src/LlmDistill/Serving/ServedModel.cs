using System.Collections.Concurrent;
using System.Threading.Channels;
using LlmDistill.Teacher;

namespace LlmDistill.Serving;

/// <summary>The queue of a <see cref="ServedModel"/> is full: the caller should retry later (HTTP 429).</summary>
public sealed class QueueFullException(int limit)
    : InvalidOperationException($"the model's queue is full ({limit} requests waiting); retry later")
{
    /// <summary>How many requests may wait beside those being generated.</summary>
    public int Limit { get; } = limit;
}

/// <summary>
/// One GGUF model shared by many concurrent callers: every request goes into one bounded queue, and a single
/// <see cref="BatchedGenerator"/> thread takes requests whenever a sequence slot is free (continuous batching across
/// callers, not a lock around one sequence). A caller that cancels frees its slot before the next decode. With the prompt
/// cache on, a prompt prefix another request decoded (a few-shot prompt, a chat history) is copied, not decoded again.
/// Disposing finishes what was accepted (graceful), then frees the model's context.
/// </summary>
public sealed class ServedModel : IDisposable
{
    /// <summary>Top-k alternatives recorded for every generated token (OpenAI's top_logprobs allows up to 20).</summary>
    public const int CapturedTopK = 20;

    readonly BatchedGenerator _generator;
    readonly Channel<GenerationRequest> _queue;
    readonly ConcurrentDictionary<long, TaskCompletionSource<Completion>> _waiting = new();
    readonly CancellationTokenSource _stop = new();
    readonly Thread _loop;
    readonly bool _ownsModel;
    long _nextIndex;
    volatile bool _closed;
    bool _disposed;
    Exception? _failure;

    /// <summary>Serves <paramref name="model"/> (owned when <paramref name="ownsModel"/>): engine.Parallel sequences at
    /// once, up to <paramref name="queueLimit"/> more waiting; <paramref name="name"/> is the id clients ask for;
    /// <paramref name="promptCache"/>: reuse shared prompt prefixes across requests (see <see cref="BatchedGenerator.Serve"/>).</summary>
    public ServedModel(GgufModel model, EngineOptions? engine = null, int queueLimit = 64, string? name = null, bool ownsModel = false, bool promptCache = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queueLimit);
        Model = model;
        Engine = engine ?? new EngineOptions();
        QueueLimit = queueLimit;
        Name = name ?? Path.GetFileNameWithoutExtension(model.Path);
        _ownsModel = ownsModel;
        PromptCache = promptCache;
        _generator = new BatchedGenerator(model, Engine.Generator(CapturedTopK) with { CaptureDistribution = true });
        _queue = Channel.CreateBounded<GenerationRequest>(new BoundedChannelOptions(queueLimit) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _loop = new Thread(Loop) { IsBackground = true, Name = $"llmdistill generator ({Name})" };
        _loop.Start();
    }

    /// <summary>Loads a GGUF and serves it (the model is owned and disposed with this).</summary>
    public static ServedModel Load(string path, EngineOptions? engine = null, int queueLimit = 64, string? name = null, string? adapterPath = null,
        bool promptCache = true) =>
        new(GgufModel.Load(path, new GgufModelOptions { GpuLayers = (engine ?? new()).GpuLayers, AdapterPath = adapterPath }), engine, queueLimit, name,
            ownsModel: true, promptCache);

    /// <summary>The model served.</summary>
    public GgufModel Model { get; }

    /// <summary>The id clients use (default: the file name without .gguf).</summary>
    public string Name { get; }

    /// <summary>How the generator runs (parallel sequences, context per sequence, threads).</summary>
    public EngineOptions Engine { get; }

    /// <summary>Most requests waiting for a slot.</summary>
    public int QueueLimit { get; }

    /// <summary>Whether requests reuse the KV cells of prompt prefixes other requests decoded.</summary>
    public bool PromptCache { get; }

    /// <summary>The generator's counters since start (prompt tokens decoded and taken from the prompt cache, generated
    /// tokens, decode calls), updated after every decode; null before the first.</summary>
    public GenerationStats? Stats => _generator.LastStats;

    /// <summary>Requests finished because their caller cancelled (a closed connection), since start.</summary>
    public long CancelledCount => Interlocked.Read(ref _cancelled);
    long _cancelled;

    /// <summary>
    /// Completes one prompt. Throws <see cref="QueueFullException"/> at once when the queue is full,
    /// <see cref="OperationCanceledException"/> when <paramref name="cancel"/> fires first (the sequence is freed),
    /// <see cref="ObjectDisposedException"/> after shutdown began. observer: streaming, on the generator's thread.
    /// </summary>
    public Task<Completion> CompleteAsync(int[] promptTokens, SamplingSettings sampling, int maxTokens, IReadOnlyList<string>? stopStrings = null,
        TokenObserver? observer = null, CancellationToken cancel = default)
    {
        if (_failure is not null) throw new InvalidOperationException($"the model's generator stopped: {_failure.Message}", _failure);
        if (_closed) throw new ObjectDisposedException(nameof(ServedModel), "the server is shutting down");
        cancel.ThrowIfCancellationRequested();
        long index = Interlocked.Increment(ref _nextIndex);
        var done = new TaskCompletionSource<Completion>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[index] = done;
        // The seed alone decides the draws (SamplerStream 0), so the same request with the same seed repeats.
        var request = new GenerationRequest(index, promptTokens, sampling, maxTokens, stopStrings ?? [])
        {
            SamplerStream = 0, Cancel = cancel, Observer = observer,
        };
        bool accepted;
        try
        {
            accepted = _queue.Writer.TryWrite(request);
        }
        catch (ChannelClosedException)
        {
            _waiting.TryRemove(index, out _);
            throw new ObjectDisposedException(nameof(ServedModel), "the server is shutting down");
        }
        if (!accepted)
        {
            _waiting.TryRemove(index, out _);
            if (_closed) throw new ObjectDisposedException(nameof(ServedModel), "the server is shutting down");
            throw new QueueFullException(QueueLimit);
        }
        return Finish(done.Task, cancel);
    }

    static async Task<Completion> Finish(Task<Completion> done, CancellationToken cancel)
    {
        Completion completion = await done.ConfigureAwait(false);
        if (completion.FinishReason == FinishReason.Cancelled) throw new OperationCanceledException(cancel);
        return completion;
    }

    void Loop()
    {
        try
        {
            foreach (var completion in _generator.Serve(_queue.Reader, PromptCache, _stop.Token))
            {
                if (completion.FinishReason == FinishReason.Cancelled) Interlocked.Increment(ref _cancelled);
                if (_waiting.TryRemove(completion.Index, out var done)) done.TrySetResult(completion);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _failure = e;
        }
        foreach (var (_, done) in _waiting)
            done.TrySetException(_failure ?? new ObjectDisposedException(nameof(ServedModel), "the server stopped before this request ran"));
    }

    /// <summary>Stops taking requests, finishes those accepted (waiting up to <paramref name="grace"/>), then frees the context.</summary>
    public void Shutdown(TimeSpan grace)
    {
        _closed = true;
        _queue.Writer.TryComplete();
        if (!_loop.Join(grace))
        {
            _stop.Cancel();
            _loop.Join();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Shutdown(TimeSpan.FromSeconds(30));
        _generator.Dispose();
        _stop.Dispose();
        if (_ownsModel) Model.Dispose();
    }
}
