using System.Diagnostics;
using System.Text.Json;
using LlmDistill.Native;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Tests.Native;

/// <summary>
/// Which llama.cpp a process loads is decided once, at its first model: these tests start the real CLI in a child
/// process with the environment a user would set.
/// </summary>
public sealed class TestLlamaLibrary
{
    private static (int Code, string Output, string Error) Cli(IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", Path.Combine(AppContext.BaseDirectory, "llmdistill.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    [Fact]
    public void A_users_own_build_named_by_the_environment_variable_is_the_one_loaded()
    {
        // A copy of LLamaSharp's avx2 build in a folder of its own stands in for a user's build of the same commit.
        using var folder = new TempDirectory();
        string source = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "avx2");
        foreach (string file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        string library = Path.Combine(folder.Path, "libllama.so");

        var (code, output, error) = Cli(new Dictionary<string, string> { [LlamaLibrary.LibraryEnvironmentVariable] = library },
            "inspect", "--runtime", "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("custom", json.RootElement.GetProperty("variant").GetString());
        Assert.Equal(library, json.RootElement.GetProperty("library_path").GetString());
        Assert.True(json.RootElement.GetProperty("expected_commit").GetBoolean());
    }

    [Fact]
    public void A_missing_library_named_by_the_environment_variable_is_one_sentence_and_a_failure()
    {
        string missing = Path.Combine(Path.GetTempPath(), "llmdistill-no-such-" + Guid.NewGuid(), "libllama.so");
        var (code, _, error) = Cli(new Dictionary<string, string> { [LlamaLibrary.LibraryEnvironmentVariable] = missing },
            "inspect", "--runtime");
        Assert.NotEqual(0, code);
        Assert.Contains(missing, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void The_chosen_build_is_logged_at_information_level()
    {
        var (code, _, error) = Cli(new Dictionary<string, string> { ["LLMDISTILL_LOG"] = "information" }, "inspect", "--runtime");
        Assert.True(code == 0, error);
        Assert.Matches(@"llama\.cpp runtime: (avx512|avx2|avx|noavx) llama\.cpp 815a2a59", error);
    }
}
