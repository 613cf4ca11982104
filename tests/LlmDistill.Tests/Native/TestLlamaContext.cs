using LlmDistill.Gguf;
using LlmDistill.Native;

namespace LlmDistill.Tests.Native;

/// <summary>Decoding on a tiny one-block llama with random weights (see <see cref="TinyLlamaGguf"/>).</summary>
[Collection(LlamaCollection.Name)]
public sealed class TestLlamaContext : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "llmdistill-tiny-" + Guid.NewGuid() + ".gguf");
    private readonly LlamaModel _model;
    private readonly LlamaContext _ctx;

    public TestLlamaContext()
    {
        TinyLlamaGguf.Write(_path, withWeights: true);
        _model = LlamaModel.Load(_path, new LlamaModelOptions { GpuLayers = 0 });
        _ctx = _model.CreateContext(new LlamaContextOptions
        {
            ContextSize = 64, BatchSize = 32, MicroBatchSize = 32, SequenceCount = 2, Threads = 1,
            TypeK = GgmlType.F32, TypeV = GgmlType.F32, FlashAttention = LlamaFlashAttnType.Disabled,
        });
    }

    public void Dispose()
    {
        _ctx.Dispose();
        _model.Dispose();
        File.Delete(_path);
    }

    private int Piece(string p) => 3 + 256 + Array.IndexOf(TinyLlamaGguf.Pieces, p);

    [Fact]
    public void The_model_and_context_report_their_sizes()
    {
        Assert.Equal(TinyLlamaGguf.NEmbd, _model.EmbeddingLength);
        Assert.Equal(1, _model.LayerCount);
        Assert.Equal(256, _model.TrainContextLength);
        Assert.True(_model.ParameterCount > 0);
        Assert.True(_ctx.ContextSize >= 64u); // llama.cpp pads n_ctx to a multiple of 256
        Assert.Equal(2u, _ctx.SequenceCount);
        Assert.Equal(_model.Vocab.Count, _ctx.VocabSize);
    }

    [Fact]
    public void A_batch_of_two_sequences_decodes_like_each_sequence_alone()
    {
        int[] a = [TinyLlamaGguf.Bos, Piece("▁hello"), Piece("▁world")];
        int[] b = [TinyLlamaGguf.Bos, Piece("▁wor")];
        using var batch = new LlamaBatchBuffer(8);
        for (int i = 0; i < a.Length; i++) batch.Add(a[i], i, 0, logits: i == a.Length - 1);
        for (int i = 0; i < b.Length; i++) batch.Add(b[i], i, 1, logits: i == b.Length - 1);
        _ctx.Decode(batch);

        float[] lastA = _ctx.GetLogits(a.Length - 1).ToArray();
        float[] lastB = _ctx.GetLogits(a.Length + b.Length - 1).ToArray();
        Assert.Equal(_ctx.VocabSize, lastA.Length);
        Assert.All(lastA, x => Assert.True(float.IsFinite(x)));
        Assert.Equal(2 * _ctx.VocabSize, _ctx.GetAllLogits().Length);
        Assert.Throws<LlamaException>(() => _ctx.GetLogits(0));
        Assert.Equal(2, _ctx.SequencePositionMax(0));
        Assert.Equal(1, _ctx.SequencePositionMax(1));

        _ctx.ClearMemory();
        Assert.Equal(-1, _ctx.SequencePositionMax(0));
        _ctx.Decode(b);
        float[] aloneB = _ctx.GetLogits(-1).ToArray();
        for (int i = 0; i < aloneB.Length; i++)
            Assert.Equal(lastB[i], aloneB[i], 1e-3f);
        Assert.NotEqual(lastA, aloneB);
    }

    [Fact]
    public void Sequence_memory_can_be_copied_removed_and_kept()
    {
        // Unified KV: one cell stream shared by the sequences (seq_keep only touches seqId's stream otherwise).
        using LlamaContext ctx = _model.CreateContext(new LlamaContextOptions
        {
            ContextSize = 256, SequenceCount = 2, Threads = 1, KvUnified = true,
        });
        ctx.Decode([TinyLlamaGguf.Bos, Piece("▁hello"), Piece("▁world")]);
        Assert.Equal(2, ctx.SequencePositionMax(0));
        ctx.CopySequence(0, 1);
        Assert.Equal(2, ctx.SequencePositionMax(1));
        Assert.True(ctx.RemoveSequence(1, 1, -1));
        Assert.Equal(0, ctx.SequencePositionMax(1));
        Assert.Equal(0, ctx.SequencePositionMin(1));
        ctx.KeepSequence(1);
        Assert.Equal(-1, ctx.SequencePositionMax(0));
        Assert.Equal(0, ctx.SequencePositionMax(1));
        Assert.True(ctx.RemoveSequence(-1));
        Assert.Equal(-1, ctx.SequencePositionMax(1));
    }

    [Fact]
    public void An_out_of_range_token_is_a_managed_exception_with_the_return_code()
    {
        var e = Assert.Throws<LlamaException>(() => _ctx.Decode([_ctx.VocabSize + 5]));
        Assert.Equal(-1, e.ReturnCode);
        Assert.Contains("llama_decode returned -1", e.Message);
    }

    [Fact]
    public void Too_many_tokens_for_the_context_is_reported()
    {
        var tokens = Enumerable.Repeat(Piece("▁hello"), 30).ToArray();
        var e = Assert.Throws<LlamaException>(() =>
        {
            for (int i = 0; i < 100; i++)
                _ctx.Decode(tokens);
        });
        Assert.NotEqual(0, e.ReturnCode);
        Assert.Contains("llama_decode returned", e.Message);
    }

    [Fact]
    public void The_context_keeps_its_model_alive_after_the_model_is_disposed()
    {
        _model.Dispose();
        Assert.False(_model.Handle.IsClosed); // the context still holds a reference: released with the context
        _ctx.Decode([TinyLlamaGguf.Bos]);
        Assert.Equal(_ctx.VocabSize, _ctx.GetLogits(-1).Length);
    }
}
