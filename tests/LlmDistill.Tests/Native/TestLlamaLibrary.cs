using LlmDistill.Native;

namespace LlmDistill.Tests.Native;

public sealed class TestLlamaLibrary : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmdistill-libs-" + Guid.NewGuid());

    public TestLlamaLibrary() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Touch(params string[] names)
    {
        foreach (string n in names)
            File.WriteAllBytes(Path.Combine(_dir, n), []);
    }

    [Fact]
    public void Versioned_library_names_are_found_and_siblings_are_not_confused()
    {
        Touch("libllama.v0.5.0.so", "libllama-common.so", "libggml.v0.5.0.so", "libggml-base.so", "libggml-cpu-haswell.so");
        Assert.Equal("libllama.v0.5.0.so", Path.GetFileName(LlamaLibrary.FindFile(_dir, "llama")));
        Assert.Equal("libggml.v0.5.0.so", Path.GetFileName(LlamaLibrary.FindFile(_dir, "ggml")));
        Assert.Equal("libggml-base.so", Path.GetFileName(LlamaLibrary.FindFile(_dir, "ggml-base")));
    }

    [Fact]
    public void Plain_and_soname_suffixed_names_are_found()
    {
        Touch("libllama.so.0.0.1");
        Assert.Equal("libllama.so.0.0.1", Path.GetFileName(LlamaLibrary.FindFile(_dir, "llama")));
        Assert.Null(LlamaLibrary.FindFile(_dir, "ggml"));
        Assert.Null(LlamaLibrary.FindFile(Path.Combine(_dir, "missing"), "llama"));
    }

    [Fact]
    public void A_missing_folder_gives_a_numbered_list_of_causes_naming_the_folder()
    {
        string missing = Path.Combine(_dir, "nowhere");
        LlamaLibraryLoadException e = LlamaLibrary.DescribeFailure(missing, "llama", null, null);
        Assert.Equal(missing, e.Directory);
        Assert.Contains(missing, e.Message);
        Assert.Contains("\n1. ", e.Message);
        Assert.Contains("\n2. ", e.Message);
        Assert.Contains("@node-llama-cpp/linux-x64", e.Message);
        Assert.Contains(LlamaLibrary.DirectoryEnvironmentVariable, e.Message);
    }

    [Fact]
    public void A_library_the_loader_refuses_gives_the_loader_message_and_dependency_causes()
    {
        Touch("libllama.v0.5.0.so");
        string file = Path.Combine(_dir, "libllama.v0.5.0.so");
        var inner = new DllNotFoundException("libggml-base.so: cannot open shared object file");
        LlamaLibraryLoadException e = LlamaLibrary.DescribeFailure(_dir, "llama", file, inner);
        Assert.Contains("cannot open shared object file", e.Message);
        Assert.Contains("glibc", e.Message);
        Assert.Contains("CUDA", e.Message);
        Assert.Same(inner, e.InnerException);
    }
}
