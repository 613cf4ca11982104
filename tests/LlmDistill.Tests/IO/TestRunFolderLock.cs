using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LlmDistill.Generation;
using LlmDistill.IO;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Generation;
using static LlmDistill.Tests.Fixtures.CliRun;

namespace LlmDistill.Tests.IO;

[Collection(TinyTeacherCollection.Name)]
public class TestRunFolderLock(TinyTeacherFixture teachers)
{
    static readonly string Data = RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl");
    static readonly string Prompt = RepositoryFiles.Path("prompts/cot-math.yaml");

    static string OurStart()
    {
        using var self = Process.GetCurrentProcess();
        return self.StartTime.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
    }

    string[] Generate(string folder, params string[] more) =>
        ["generate", "--teacher", teachers.Qwen2Path, "--data", Data, "--prompt", Prompt, "--out", folder, "--top-k", "5", "--ctx", "1024", .. more];

    static void WriteLock(string folder, RunFolderLock.Holder holder) =>
        File.WriteAllText(Path.Combine(folder, RunFolderLock.FileName), JsonSerializer.Serialize(holder));

    static RunFolderLock.Holder Ours(string command = "test") =>
        new(Environment.ProcessId, RunFolderLock.StartTicks(Environment.ProcessId), DateTime.UtcNow, Environment.MachineName, command, "t");

    [Fact]
    public void A_second_process_is_refused_at_once_naming_the_holders_pid_and_start_time()
    {
        using var folder = new TempDirectory();
        using (RunFolderLock.Inside(folder.Path, "test"))
        {
            var clock = Stopwatch.StartNew();
            using var child = Start(Generate(folder.Path));
            string error = child.StandardError.ReadToEnd();
            child.WaitForExit();
            Assert.NotEqual(0, child.ExitCode);
            Assert.Contains($"pid {Environment.ProcessId}", error);
            Assert.Contains($"started {OurStart()} UTC", error);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the refusal took {clock.Elapsed}");

            var train = Run("train", "--traces", folder.Path, "--out", folder.Path, "--teacher", teachers.Qwen2Path, "--student", "tiny");
            Assert.NotEqual(0, train.Code);
            Assert.Contains($"in use by another llmdistill run (test, pid {Environment.ProcessId}", train.Error);
        }
        Assert.False(File.Exists(Path.Combine(folder.Path, RunFolderLock.FileName)));
    }

    [Fact]
    public void A_running_generate_holds_its_folder_and_its_lock_is_taken_over_once_it_is_killed()
    {
        using var folder = new TempDirectory();
        string lockPath = Path.Combine(folder.Path, RunFolderLock.FileName);
        using (var child = Start(Generate(folder.Path, "--samples", "4", "--max-tokens", "256", "--parallel", "1")))
        {
            var clock = Stopwatch.StartNew();
            while (!child.HasExited && RunFolderLock.Parse(File.Exists(lockPath) ? File.ReadAllText(lockPath) : "")?.Pid != child.Id && clock.Elapsed < TimeSpan.FromSeconds(60))
                Thread.Sleep(10);
            if (child.HasExited) Assert.Fail($"the holder ended early: {child.StandardError.ReadToEnd()}");

            var second = Run(Generate(folder.Path, "--samples", "4", "--max-tokens", "256", "--parallel", "1"));
            Assert.Equal(1, second.Code); // CliErrors.Failure, as for any IOException
            Assert.Contains($"(generate, pid {child.Id}, started ", second.Error);

            child.Kill(entireProcessTree: true); // SIGKILL: the lock file stays behind
            child.WaitForExit();
        }
        Assert.True(File.Exists(lockPath));
        var rerun = Run(Generate(folder.Path, "--samples", "1", "--max-tokens", "4", "--limit", "1", "--force"));
        Assert.True(rerun.Code == 0, rerun.Error);
        Assert.False(File.Exists(lockPath));
    }

    [Fact]
    public void A_lock_whose_pid_is_gone_is_taken_over()
    {
        using var folder = new TempDirectory();
        using var ended = Process.Start(new ProcessStartInfo("true"))!;
        ended.WaitForExit();
        WriteLock(folder.Path, Ours() with { Pid = ended.Id, StartTicks = 1 });
        using var taken = RunFolderLock.Inside(folder.Path, "test");
        Assert.Equal("test", RunFolderLock.Parse(File.ReadAllText(taken.Path))!.Command);
    }

    [Fact]
    public void A_lock_whose_pid_was_reused_by_a_later_process_is_taken_over()
    {
        using var folder = new TempDirectory();
        long ticks = RunFolderLock.StartTicks(Environment.ProcessId)!.Value;
        WriteLock(folder.Path, Ours("old run") with { StartTicks = ticks - 100 }); // our pid, but a process that started earlier
        using var taken = RunFolderLock.Inside(folder.Path, "test");
        Assert.Equal("test", RunFolderLock.Parse(File.ReadAllText(taken.Path))!.Command);
    }

    [Fact]
    public void A_lock_of_a_live_process_is_kept_and_one_from_another_host_is_never_judged_stale()
    {
        using var folder = new TempDirectory();
        WriteLock(folder.Path, Ours("eval"));
        var error = Assert.Throws<IOException>(() => RunFolderLock.Inside(folder.Path, "test"));
        Assert.Contains($"(eval, pid {Environment.ProcessId}, started ", error.Message);

        WriteLock(folder.Path, Ours("generate") with { Pid = 999_999_999, Host = "elsewhere" });
        error = Assert.Throws<IOException>(() => RunFolderLock.Inside(folder.Path, "test"));
        Assert.Contains("pid 999999999 on elsewhere", error.Message);
        Assert.Contains("delete " + Path.Combine(folder.Path, RunFolderLock.FileName), error.Message);
    }

    [Fact]
    public void An_unreadable_lock_is_taken_over_after_a_short_wait()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, RunFolderLock.FileName), "");
        using var taken = RunFolderLock.Inside(folder.Path, "test");
        Assert.NotNull(RunFolderLock.Parse(File.ReadAllText(taken.Path)));
    }

    [Fact]
    public void Releasing_removes_the_lock_and_a_folder_that_only_the_lock_created()
    {
        using var root = new TempDirectory();
        string fresh = Path.Combine(root.Path, "fresh");
        using (RunFolderLock.Inside(fresh, "test")) Assert.True(Directory.Exists(fresh));
        Assert.False(Directory.Exists(fresh));

        string report = Path.Combine(root.Path, "report");
        using (var beside = RunFolderLock.Beside(report, "eval"))
        {
            Assert.Equal(Path.Combine(root.Path, ".report.llmdistill.lock"), beside.Path);
            Assert.False(Directory.Exists(report));
            Assert.Throws<IOException>(() => RunFolderLock.Beside(report + "/", "eval"));
        }
        Assert.Empty(Directory.GetFileSystemEntries(root.Path));
    }

    [Fact]
    public void Shards_of_one_generate_lock_the_folder_each_under_their_own_name()
    {
        using var folder = new TempDirectory();
        using var first = RunFolderLock.Inside(folder.Path, "generate", "0of2");
        using var second = RunFolderLock.Inside(folder.Path, "generate", "1of2");
        Assert.NotEqual(first.Path, second.Path);
        Assert.Throws<IOException>(() => RunFolderLock.Inside(folder.Path, "generate", "1of2"));
    }
}
