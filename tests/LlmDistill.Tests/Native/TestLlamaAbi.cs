using LLama.Native;
using LlmDistill.Gguf;
using LlmDistill.Native;

namespace LlmDistill.Tests.Native;

/// <summary>
/// The structs our own declarations (Interop/LlamaNative.cs) pass to llama.cpp are LLamaSharp's; their layout must be
/// llama.h's at commit 815a2a59 on linux-x64 (llama_batch: int32 n_tokens, then six pointers; llama_chat_message: two
/// pointers), and the enums we cast to LLamaSharp's must have C's size and values.
/// </summary>
public sealed unsafe class TestLlamaAbi
{
    private static long Off(void* field, void* start) => (byte*)field - (byte*)start;

    [Fact]
    public void The_batch_struct_has_llama_h_layout()
    {
        Assert.Equal(56, sizeof(LLamaNativeBatch));
        LLamaNativeBatch b;
        Assert.Equal(0, Off(&b.n_tokens, &b));
        Assert.Equal(8, Off(&b.tokens, &b));
        Assert.Equal(16, Off(&b.embd, &b));
        Assert.Equal(24, Off(&b.pos, &b));
        Assert.Equal(32, Off(&b.n_seq_id, &b));
        Assert.Equal(40, Off(&b.seq_id, &b));
        Assert.Equal(48, Off(&b.logits, &b));
        Assert.Equal(4, sizeof(LLamaToken));
        Assert.Equal(4, sizeof(LLamaPos));
        Assert.Equal(4, sizeof(LLamaSeqId));
    }

    [Fact]
    public void The_chat_message_struct_has_llama_h_layout()
    {
        Assert.Equal(16, sizeof(LLamaChatMessage));
        LLamaChatMessage m;
        Assert.Equal(0, Off(&m.role, &m));
        Assert.Equal(8, Off(&m.content, &m));
    }

    [Fact]
    public void Enums_cast_to_llama_sharp_have_the_same_values()
    {
        Assert.Equal(4, sizeof(GgmlType));
        Assert.Equal(4, sizeof(LlamaFtype));
        Assert.Equal(4, sizeof(GgmlLogLevel));
        Assert.Equal((int)LLamaFtype.MOSTLY_Q8_0, (int)LlamaFtype.MostlyQ8_0);
        Assert.Equal((int)LLamaFtype.MOSTLY_Q4_K_M, (int)LlamaFtype.MostlyQ4_K_M);
        Assert.Equal((int)LLamaFtype.ALL_F32, (int)LlamaFtype.AllF32);
        Assert.Equal((int)GGMLType.GGML_TYPE_F32, (int)GgmlType.F32);
        Assert.Equal((int)GGMLType.GGML_TYPE_Q8_0, (int)GgmlType.Q8_0);
        Assert.Equal((int)LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_AUTO, (int)LlamaFlashAttnType.Auto);
        Assert.Equal((int)LLamaLogLevel.Continue, (int)GgmlLogLevel.Cont);
        Assert.Equal((int)LLamaLogLevel.Error, (int)GgmlLogLevel.Error);
        Assert.Equal((int)LLamaVocabType.BytePairEncoding, (int)LlamaVocabType.Bpe);
        Assert.Equal((int)LLamaTokenAttr.Byte, (int)LlamaTokenAttr.Byte);
    }
}
