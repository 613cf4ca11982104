using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Tests.Cli;

/// <summary>
/// What README "Install" promises: `dotnet pack` makes the library packages and the LlmDistill.Tool .NET tool, and the
/// tool installed from the packed folder runs, llama.cpp and TorchSharp included. The packing and installing happen
/// once, in <see cref="ToolPackageFixture"/>.
/// </summary>
public class TestToolPackage(ToolPackageFixture package) : IClassFixture<ToolPackageFixture>
{
    [Fact]
    public void Pack_makes_the_library_its_two_dependencies_and_the_tool()
    {
        foreach (string id in new[] { "LlmDistill", "LlmDistill.Gguf", "LlmDistill.Native", "LlmDistill.Tool" })
        {
            Assert.True(File.Exists(package.Nupkg(id)), $"{id}.{package.Version}.nupkg missing in {package.Packed}");
            Assert.True(File.Exists(Path.ChangeExtension(package.Nupkg(id), ".snupkg")), $"{id} has no symbol package");
        }
        string nuspec = package.Nuspec("LlmDistill");
        Assert.Contains("<id>LlmDistill</id>", nuspec);
        Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
        Assert.Contains("<readme>README.md</readme>", nuspec);
        Assert.Contains("<repository type=\"git\"", nuspec);
        Assert.Matches("<dependency id=\"LlmDistill.Gguf\" version=\"" + Regex.Escape(package.Version) + "\"", nuspec);
        Assert.Matches("<dependency id=\"LlmDistill.Native\" version=\"" + Regex.Escape(package.Version) + "\"", nuspec);
        Assert.Contains("lib/net10.0/LlmDistill.Core.dll", package.Entries("LlmDistill"));
        Assert.Contains("README.md", package.Entries("LlmDistill"));
    }

    [Fact]
    public void The_native_package_depends_on_llama_sharp_and_its_cpu_backend_and_carries_no_native_file_itself()
    {
        string nuspec = package.Nuspec("LlmDistill.Native");
        Assert.Contains("<dependency id=\"LLamaSharp\" version=\"0.30.0\"", nuspec);
        Assert.Contains("<dependency id=\"LLamaSharp.Backend.Cpu\" version=\"0.30.0\"", nuspec);
        Assert.DoesNotContain(package.Entries("LlmDistill.Native"), e => e.EndsWith(".so", StringComparison.Ordinal));
    }

    [Fact]
    public void The_tool_package_is_a_dotnet_tool_named_llmdistill_with_llama_cpp_inside()
    {
        Assert.Contains("<packageType name=\"DotnetTool\" />", package.Nuspec("LlmDistill.Tool"));
        string[] entries = package.Entries("LlmDistill.Tool");
        string settings = Assert.Single(entries, e => e.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        using (var zip = ZipFile.OpenRead(package.Nupkg("LlmDistill.Tool")))
        using (var reader = new StreamReader(zip.GetEntry(settings)!.Open()))
            Assert.Contains("Command Name=\"llmdistill\"", reader.ReadToEnd());
        string toolFolder = Path.GetDirectoryName(settings)!.Replace('\\', '/');
        foreach (string variant in new[] { "avx512", "avx2", "avx", "noavx" })
            Assert.Contains($"{toolFolder}/runtimes/linux-x64/native/{variant}/libllama.so", entries);
        Assert.DoesNotContain(entries, e => e.Contains("/win-x64/") || e.Contains("/osx-"));
    }

    [Fact]
    public void The_installed_tool_lists_the_commands_in_its_help()
    {
        var run = package.RunTool(TimeSpan.FromMinutes(1), [], "--help");
        Assert.True(run.Code == 0, run.Describe());
        foreach (string command in new[] { "inspect", "complete", "generate", "train", "export", "eval", "demo", "run" })
            Assert.Matches(new Regex(@"^\s+" + command + @"\b", RegexOptions.Multiline), run.Output);
    }

    [Fact]
    public void The_installed_tool_runs_the_miniature_demo_through_llama_cpp_and_torchsharp()
    {
        using var folder = new TempDirectory();
        string output = Path.Combine(folder.Path, "demo");
        // One llama.cpp thread (its thread count is Environment.ProcessorCount): next to the other tests on 2 busy cores,
        // llama.cpp's per-operation barriers made this run take 155 s instead of 14 s.
        var run = package.RunTool(TimeSpan.FromMinutes(5), new() { ["DOTNET_PROCESSOR_COUNT"] = "1" },
            "demo", "--recipe", "miniature", "--out", output, "--cache", Path.Combine(folder.Path, "cache"));
        Assert.True(run.Code == 0, run.Describe());
        AssertSummary(output);
    }

    /// <summary>`demo --quick` with an empty cache trains its own small teacher first (19 CPU-minutes; 28 min wall on a busy 2-core machine): only with LLMDISTILL_SLOW_TESTS=1.</summary>
    [SlowFact]
    public void The_installed_tool_runs_demo_quick()
    {
        using var folder = new TempDirectory();
        string output = Path.Combine(folder.Path, "demo");
        var run = package.RunTool(TimeSpan.FromMinutes(45), [], "demo", "--quick", "--out", output, "--cache", Path.Combine(folder.Path, "cache"));
        Assert.True(run.Code == 0, run.Describe());
        AssertSummary(output);
    }

    static void AssertSummary(string output)
    {
        string summary = Path.Combine(output, "summary.json");
        Assert.True(File.Exists(summary), $"no {summary}");
        using var json = JsonDocument.Parse(File.ReadAllText(summary));
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
    }
}

/// <summary>A fact that runs only when LLMDISTILL_SLOW_TESTS=1 (xunit 2 decides skipping at discovery).</summary>
public sealed class SlowFactAttribute : FactAttribute
{
    public const string Variable = "LLMDISTILL_SLOW_TESTS";

    public SlowFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1") Skip = $"slow: set {Variable}=1 to run";
    }
}

/// <summary>
/// Packs the solution's packable projects (`dotnet pack -c Release`, as README "Install" says) into a temporary folder,
/// with an artifacts path of its own so that the developer's bin/ and obj/ are untouched, then installs LlmDistill.Tool
/// from that folder alone (a NuGet config with no other source) into a temporary tool path.
/// </summary>
public sealed class ToolPackageFixture : IDisposable
{
    readonly TempDirectory _root = new();

    public string Packed { get; }
    public string Version { get; }
    public string Tool { get; }

    public ToolPackageFixture()
    {
        string repository = FindRepository();
        Packed = Path.Combine(_root.Path, "packed");
        string build = Path.Combine(_root.Path, "build");
        var pack = ProcessRun.Start("dotnet", TimeSpan.FromMinutes(8), repository, [],
            "pack", Path.Combine(repository, "LlmDistill.sln"), "-c", "Release", "-o", Packed,
            "--disable-build-servers", "-p:ArtifactsPath=" + build);
        if (pack.Code != 0) throw new InvalidOperationException("dotnet pack failed: " + pack.Describe());

        string tool = Directory.GetFiles(Packed, "LlmDistill.Tool.*.nupkg").Select(Path.GetFileName).Single(n => !n!.EndsWith(".snupkg"))!;
        Version = tool["LlmDistill.Tool.".Length..^".nupkg".Length];

        string config = _root.Write("nuget.config",
            $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{Packed}" />
              </packageSources>
            </configuration>
            """);
        string toolPath = Path.Combine(_root.Path, "tools");
        var install = ProcessRun.Start("dotnet", TimeSpan.FromMinutes(5), _root.Path, [],
            "tool", "install", "--tool-path", toolPath, "--configfile", config, "--add-source", Packed, "LlmDistill.Tool", "--version", Version);
        if (install.Code != 0) throw new InvalidOperationException("dotnet tool install failed: " + install.Describe());
        Tool = Path.Combine(toolPath, "llmdistill");
    }

    public string Nupkg(string id) => Path.Combine(Packed, $"{id}.{Version}.nupkg");

    public string[] Entries(string id)
    {
        using var zip = ZipFile.OpenRead(Nupkg(id));
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    public string Nuspec(string id)
    {
        using var zip = ZipFile.OpenRead(Nupkg(id));
        using var reader = new StreamReader(zip.GetEntry(id + ".nuspec")!.Open());
        return reader.ReadToEnd();
    }

    public ProcessRun RunTool(TimeSpan limit, Dictionary<string, string> environment, params string[] args) =>
        ProcessRun.Start(Tool, limit, _root.Path, environment, args);

    static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LlmDistill.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"LlmDistill.sln not found above {AppContext.BaseDirectory}");
    }

    public void Dispose() => _root.Dispose();
}

/// <summary>One finished child process: exit code and everything it wrote.</summary>
public sealed record ProcessRun(string Command, int Code, string Output, string Error, TimeSpan Elapsed)
{
    /// <summary>
    /// Runs a program to its end or kills it after limit (then Code is -1), with environment added to this process's.
    /// MSBuild's variables from the `dotnet test` that started this process are removed, so a nested `dotnet pack`
    /// starts as it would from a shell.
    /// </summary>
    public static ProcessRun Start(string program, TimeSpan limit, string workingDirectory, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToArray())
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
            start.Environment[name] = value;

        var output = new StringBuilder();
        var error = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        int code;
        if (process.WaitForExit(limit))
        {
            process.WaitForExit(); // drains the asynchronous readers
            code = process.ExitCode;
        }
        else
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            code = -1;
        }
        string command = program + " " + string.Join(' ', args);
        lock (output) lock (error) return new ProcessRun(command, code, output.ToString(), error.ToString(), clock.Elapsed);
    }

    public string Describe() =>
        $"`{Command}` exited with {Code} after {Elapsed.TotalSeconds:F0} s\n--- stdout (end) ---\n{Tail(Output)}\n--- stderr (end) ---\n{Tail(Error)}";

    static string Tail(string text) => text.Length <= 6000 ? text : "..." + text[^6000..];
}
