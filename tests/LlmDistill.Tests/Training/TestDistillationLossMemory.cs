using System.Diagnostics;
using Xunit.Abstractions;
using LlmDistill.Runtime;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training;

/// <summary>Runs alone: it reads the process's peak resident memory, which parallel tests would disturb.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class MemoryMeasurementCollection
{
    public const string Name = "Memory measurement";
}

[Collection(MemoryMeasurementCollection.Name)]
public class TestDistillationLossMemory(ITestOutputHelper output)
{
    readonly ITestOutputHelper _output = Init(output);

    static ITestOutputHelper Init(ITestOutputHelper output)
    {
        TorchRuntime.EnsureLoadable();
        return output;
    }

    /// <summary>A kB figure from /proc/self/status ("VmHWM", "VmRSS").</summary>
    static long StatusKilobytes(string field)
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
    }

    /// <summary>Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0).</summary>
    static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    [Fact]
    public void A_150k_vocabulary_loss_and_backward_over_2048_positions_stays_far_below_N_by_V_floats()
    {
        if (!OperatingSystem.IsLinux()) return;
        const int examples = 2, length = 1024, channels = 64, vocabulary = 150_000, topK = 20, chunk = 128;
        const long n = examples * length;
        const double allLogitsBytes = n * vocabulary * 4.0;            // 1172 MiB: one float per position and token

        using var scope = NewDisposeScope();
        random.manual_seed(31);
        var hidden = randn(examples, length, channels).requires_grad_(true);
        var weight = (randn(vocabulary, channels) * 0.05).requires_grad_(true);
        var candidates = randn(examples, length, topK + 1).log_softmax(-1);    // K teacher candidates + tail
        var spans = full(examples, length, SpanKind.Rationale, ScalarType.Int64);
        spans[.., ^64..] = tensor(SpanKind.Answer);
        var batch = new DistillationBatch(
            InputIds: randint(vocabulary, [examples, length]),
            TargetIds: randint(vocabulary, [examples, length]),
            SpanKinds: spans,
            TeacherTopKIds: randint(vocabulary, [examples, length, topK]),
            TeacherTopKLogprobs: candidates[.., .., ..topK],
            TeacherTailMass: candidates[.., .., topK].exp(),
            TeacherPresent: ones(examples, length, ScalarType.Bool),
            ExampleWeights: ones(examples));
        var options = new DistillationLossOptions { Alpha = 0.5, Temperature = 2, ChunkSize = chunk };

        long before = StatusKilobytes("VmRSS");
        ResetPeak();
        var clock = Stopwatch.StartNew();
        var result = DistillationLoss.Compute(hidden, weight, batch, options);
        result.Loss.backward();
        clock.Stop();
        double peakGrowthBytes = (StatusKilobytes("VmHWM") - before) * 1024.0;
        _output.WriteLine($"chunked loss + backward: {clock.Elapsed.TotalSeconds:F1} s, peak resident growth {peakGrowthBytes / 1048576:F0} MiB (N × V floats: {allLogitsBytes / 1048576:F0} MiB)");

        // Measured on the 2-core development host (load average 10–14 from other builds): 9–15 s, peak resident growth
        // 333–350 MiB, i.e. about 4.5 chunk × V float tensors of 73 MiB (logits, log_softmax, their gradients), against
        // 1172 MiB for a single N × V float tensor. For comparison, on the same inputs: chunk 256 → 623 MiB, chunk 512 →
        // 1214 MiB; per-chunk autograd graphs kept until one backward → 1321 MiB (every chunk's log_softmax output stays
        // alive, so memory grows with N); the full-logits path → 4687 MiB.
        Assert.True(double.IsFinite(result.Loss.item<float>()));
        Assert.True(peakGrowthBytes < allLogitsBytes / 2, $"peak memory grew by {peakGrowthBytes / 1048576:F0} MiB in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(5), $"took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(weight.grad!.abs().sum().item<float>() > 0);
    }
}
