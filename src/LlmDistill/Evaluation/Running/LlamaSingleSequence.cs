using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Native;
using LlmDistill.Teacher;

namespace LlmDistill.Evaluation.Running;

/// <summary>
/// One llama.cpp context holding a single sequence, fed token ids in batch-sized chunks: what the speed probe and the
/// trace scorer share. Both read the model exactly as the batched generator does, just one sequence at a time.
/// </summary>
sealed class LlamaSingleSequence : IDisposable
{
    /// <summary>Most tokens per llama_decode (llama.cpp's default n_batch).</summary>
    public const int BatchTokens = 512;

    readonly LlamaContext _context;
    readonly LlamaBatchBuffer _batch = new(BatchTokens);

    public LlamaSingleSequence(GgufModel model, int contextTokens, int threads)
    {
        int t = threads > 0 ? threads : Environment.ProcessorCount;
        _context = model.Model.CreateContext(new LlamaContextOptions
        {
            ContextSize = (uint)Math.Max(contextTokens, 16), SequenceCount = 1, BatchSize = BatchTokens, MicroBatchSize = BatchTokens,
            Threads = t, BatchThreads = t, NoPerf = true,
        });
    }

    public int Position { get; private set; }

    public void Clear()
    {
        _context.ClearMemory();
        Position = 0;
    }

    /// <summary>
    /// Appends <paramref name="tokens"/> to the sequence; for each one whose position satisfies <paramref name="wantLogits"/>
    /// calls <paramref name="onLogits"/> with that position and the logits predicting the next token. Returns once
    /// llama.cpp has finished computing (so callers can time it).
    /// </summary>
    public void Feed(ReadOnlySpan<int> tokens, Func<int, bool> wantLogits, LogitsAtPosition? onLogits)
    {
        for (int start = 0; start < tokens.Length; start += BatchTokens)
        {
            _batch.Clear();
            int end = Math.Min(tokens.Length, start + BatchTokens);
            for (int i = start; i < end; i++) _batch.Add(tokens[i], Position + i - start, 0, wantLogits(Position + i - start));
            _context.Decode(_batch);
            _context.Synchronize();
            if (onLogits is not null)
                for (int i = start; i < end; i++)
                    if (wantLogits(Position + i - start)) onLogits(Position + i - start, _context.GetLogits(i - start));
            Position += end - start;
        }
    }

    public void Dispose()
    {
        _batch.Dispose();
        _context.Dispose();
    }
}

/// <summary>Logits of the token at <paramref name="position"/>: the model's prediction for position + 1.</summary>
delegate void LogitsAtPosition(int position, ReadOnlySpan<float> logits);
