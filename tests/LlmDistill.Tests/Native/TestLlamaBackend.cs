using LlmDistill.Native;
using Microsoft.Extensions.Logging;

namespace LlmDistill.Tests.Native;

[Collection(LlamaCollection.Name)]
public sealed class TestLlamaBackend : IDisposable
{
    private readonly TestLogger _logger = new();

    public TestLlamaBackend() => LlamaBackend.Initialize(_logger);

    public void Dispose() => LlamaBackend.SetLogger(null);

    [Fact]
    public void Backend_initializes_and_finds_a_cpu_device()
    {
        Assert.True(LlamaBackend.IsInitialized);
        Assert.Contains(LlamaBackend.Devices, d => d.Type == GgmlBackendDevType.Cpu);
        Assert.All(LlamaBackend.Devices, d => Assert.False(string.IsNullOrEmpty(d.Name)));
    }

    [Fact]
    public void Initialize_is_idempotent_and_thread_safe()
    {
        Parallel.For(0, 8, _ => LlamaBackend.Initialize());
        Assert.True(LlamaBackend.IsInitialized);
    }

    [Fact]
    public void The_runtime_is_llama_sharps_build_of_its_commit_and_the_only_llama_cpp_in_the_process()
    {
        LlamaRuntimeInfo runtime = LlamaBackend.Runtime;
        string expectedFolder = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        Assert.StartsWith(expectedFolder, runtime.LibraryPath);
        Assert.Contains(runtime.Variant, new[] { "avx512", "avx2", "avx", "noavx" });
        Assert.True(runtime.IsExpectedCommit, runtime.ToString());
        Assert.Equal("0.18.0", runtime.GgmlVersion);
        // One llama.cpp, never two: the only libllama/libggml files mapped are the ones beside the runtime's.
        string[] llamaFiles = LlamaLibrary.LoadedFiles()
            .Where(f => Path.GetFileName(f).StartsWith("libllama", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("libggml", StringComparison.Ordinal))
            .Distinct().ToArray();
        Assert.All(llamaFiles, f => Assert.Equal(Path.GetDirectoryName(runtime.LibraryPath), Path.GetDirectoryName(f)));
    }

    [Fact]
    public void A_missing_custom_library_gives_one_sentence_naming_it_and_a_load_failure_lists_causes()
    {
        string missing = Path.Combine(Path.GetTempPath(), "llmdistill-no-such-" + Guid.NewGuid(), "libllama.so");
        LlamaLibraryLoadException e = LlamaLibrary.DescribeFailure(missing, new DllNotFoundException("boom"));
        Assert.Equal(missing, e.Library);
        Assert.Contains(missing, e.Message);
        Assert.Contains("\n1. ", e.Message);
        Assert.Contains("boom", e.Message);
    }

    [Fact]
    public void System_info_and_capabilities_are_reported()
    {
        Assert.Contains("CPU", LlamaBackend.SystemInfo);
        Assert.True(LlamaBackend.SupportsMmap);
        _ = LlamaBackend.SupportsGpuOffload;
    }

    [Fact]
    public void Loading_a_missing_file_throws_file_not_found()
    {
        string path = Path.Combine(Path.GetTempPath(), "llmdistill-no-such-model-" + Guid.NewGuid() + ".gguf");
        var e = Assert.Throws<FileNotFoundException>(() => LlamaModel.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Loading_a_non_gguf_file_throws_a_managed_exception_quoting_llama_cpp()
    {
        string path = Path.Combine(Path.GetTempPath(), "llmdistill-not-gguf-" + Guid.NewGuid() + ".gguf");
        File.WriteAllText(path, "this is not a GGUF file, just some text long enough to have a header.");
        try
        {
            var e = Assert.Throws<LlamaException>(() => LlamaModel.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("llama.cpp reported", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_log_callback_delivers_llama_cpp_messages_to_the_logger()
    {
        string path = Path.Combine(Path.GetTempPath(), "llmdistill-not-gguf-" + Guid.NewGuid() + ".gguf");
        File.WriteAllBytes(path, new byte[64]);
        try
        {
            Assert.Throws<LlamaException>(() => LlamaModel.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
        var errors = _logger.Entries.Where(e => e.Level == LogLevel.Error).ToList();
        Assert.NotEmpty(errors);
        Assert.All(_logger.Entries, e => Assert.DoesNotContain('\n', e.Message));
    }

    [Fact]
    public void Chat_template_by_name_formats_without_a_model()
    {
        string text = LlamaChatTemplate.Apply("chatml",
            [new("system", "Be brief."), new("user", "Hi")], addAssistant: true);
        Assert.Equal("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", text);
    }

    [Fact]
    public void Chat_template_output_larger_than_the_first_buffer_is_complete()
    {
        string big = new('x', 5000);
        string text = LlamaChatTemplate.Apply("chatml", [new("user", big), new("assistant", big), new("user", big)], addAssistant: false);
        Assert.Equal(3, text.Split("<|im_start|>").Length - 1);
        Assert.EndsWith(big + "<|im_end|>\n", text);
    }

    [Fact]
    public void Unknown_chat_template_throws()
    {
        Assert.Throws<LlamaException>(() => LlamaChatTemplate.Apply("no-such-template-{{ x }}", [new("user", "Hi")], true));
    }

    [Fact]
    public void Batch_buffer_fills_two_sequences()
    {
        using var batch = new LlamaBatchBuffer(8, maxSequencesPerToken: 2);
        batch.Add(1, 0, [0, 1], logits: false);
        batch.Add(5, 1, 0, logits: true);
        batch.Add(6, 1, 1, logits: true);
        Assert.Equal(3, batch.Count);
        Assert.Equal(2, batch.OutputCount);
        unsafe
        {
            LLama.Native.LLamaNativeBatch b = batch.Native;
            Assert.Equal(2, b.n_seq_id[0]);
            Assert.Equal(1, ((int*)b.seq_id[0])[1]);
            Assert.Equal(1, ((int*)b.seq_id[2])[0]);
            Assert.Equal(1, ((int*)b.pos)[2]);
            Assert.Equal(5, ((int*)b.tokens)[1]);
        }
        Assert.Throws<ArgumentException>(() => batch.Add(7, 2, [0, 1, 2], false));
    }
}
