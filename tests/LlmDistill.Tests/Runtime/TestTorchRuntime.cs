using LlmDistill.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Runtime;

public class TestTorchRuntime
{
    static string ShippedLibrary() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void A_forward_and_backward_step_runs_and_lowers_the_loss()
    {
        TorchRuntime.EnsureLoadable();
        random.manual_seed(1);
        var model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1));
        var optimizer = optim.AdamW(model.parameters(), lr: 0.01);
        var x = randn(64, 8);
        var y = x.sum(1, keepdim: true);

        float first = 0, last = 0;
        for (int step = 0; step < 50; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
        Assert.True(last < first * 0.5f, $"loss went from {first} to {last}");
    }

    [Fact]
    public void The_shipped_library_asks_for_GLIBCXX_3_4_32_without_the_weak_flag()
    {
        string shipped = ShippedLibrary();
        Assert.True(File.Exists(shipped), $"TorchSharp's package is expected at {shipped}");
        var requirement = ElfVersionNeeds.Read(File.ReadAllBytes(shipped)).Single(r => r.Version == TorchRuntime.MissingVersion);
        Assert.Equal("libstdc++.so.6", requirement.Library);
        Assert.Equal(0, requirement.Flags & ElfVersionNeeds.WeakFlag);
    }

    [Fact]
    public void Patching_a_copy_marks_only_that_requirement_weak_and_changes_two_bytes_at_most()
    {
        byte[] original = File.ReadAllBytes(ShippedLibrary());
        string copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.WriteAllBytes(copy, original);
        try
        {
            string outcome = TorchRuntime.PatchCopy(copy);
            Assert.Contains("marked", outcome);
            byte[] patched = File.ReadAllBytes(copy);
            Assert.Equal(original.Length, patched.Length);
            Assert.InRange(original.Zip(patched).Count(p => p.First != p.Second), 1, 2);

            var before = ElfVersionNeeds.Read(original);
            var after = ElfVersionNeeds.Read(patched);
            Assert.Equal(before.Count, after.Count);
            for (int i = 0; i < before.Count; i++)
            {
                bool target = before[i].Version == TorchRuntime.MissingVersion;
                Assert.Equal(target ? (ushort)(before[i].Flags | ElfVersionNeeds.WeakFlag) : before[i].Flags, after[i].Flags);
            }
            Assert.Contains("already", TorchRuntime.PatchCopy(copy));
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void Reading_a_file_that_is_not_ELF_says_so()
    {
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[100]));
        Assert.Contains("not an ELF file", error.Message);
    }
}
