using LlmDistill.IO;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Tests.IO;

public class TestOutputLeftovers
{
    [Fact]
    public void A_killed_writers_temporaries_are_deleted_and_other_files_beside_the_output_kept()
    {
        using var folder = new TempDirectory();
        string output = folder.File("student.gguf");
        foreach (string name in new[] { "student.gguf.tmp-3f2a", "student.gguf.f32-812.gguf", "student.gguf.tmp-812", "student.gguf", "student.gguf.md", "student-q4.gguf.tmp-1" })
            File.WriteAllText(folder.File(name), name);
        Directory.CreateDirectory(folder.File("student.gguf.staging-77"));

        Assert.Equal(4, OutputLeftovers.Clear(output));
        Assert.Equal(["student-q4.gguf.tmp-1", "student.gguf", "student.gguf.md"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_swap_killed_between_its_two_moves_gets_the_old_folder_back_and_a_finished_one_loses_it()
    {
        using var folder = new TempDirectory();
        string target = folder.File("checkpoint");
        // Killed after the old folder was set aside and before the staged one moved in: the old one is the output.
        Directory.CreateDirectory(target + ".old-1");
        File.WriteAllText(Path.Combine(target + ".old-1", "weights"), "old");
        Directory.CreateDirectory(target + ".staging-2");
        OutputLeftovers.Clear(target);
        Assert.Equal("old", File.ReadAllText(Path.Combine(target, "weights")));
        Assert.Equal(["checkpoint"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));

        // Killed after both moves, before the old folder was deleted: the new one stays.
        Directory.CreateDirectory(target + ".old-3");
        OutputLeftovers.Clear(target);
        Assert.Equal("old", File.ReadAllText(Path.Combine(target, "weights")));
        Assert.Equal(["checkpoint"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));
    }
}
