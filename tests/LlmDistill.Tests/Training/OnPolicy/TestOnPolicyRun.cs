using LlmDistill.Options;
using LlmDistill.Tests.Demo;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using LlmDistill.Training;
using LlmDistill.Training.Losses;
using LlmDistill.Training.OnPolicy;

namespace LlmDistill.Tests.Training.OnPolicy;

/// <summary>
/// On-policy rounds end to end on the miniature demo's files: its trained teacher GGUF (351-token vocabulary) scores,
/// its distilled student starts, its teacher traces give the prompts and the off-policy batches. Seconds per run.
/// </summary>
[Collection(MiniatureDemoCollection.Name)]
public class TestOnPolicyRun(MiniatureDemoFixture demo)
{
    TrainSettings Settings(string run, int rounds = 2, int steps = 6, Divergence? divergence = null) => new()
    {
        Data = new TraceDataSettings { TracesFolder = demo.Traces, MaxSequenceLength = 256, EvaluationPercent = 10 },
        OutputFolder = run,
        Student = new() { InitPath = demo.DistilledCheckpointGguf, TeacherPath = demo.TeacherPath },
        Trainer = new TrainerOptions
        {
            Steps = steps, BatchSize = 4, LearningRate = 3e-3, WarmupSteps = 1, EvalEvery = 0, EvalBatches = 1, CheckpointEvery = 0, LogEvery = 1, Seed = 7,
            Loss = new DistillationLossOptions { Alpha = 0.5, ChunkSize = 4096 },
        },
        OnPolicy = new OnPolicyOptions
        {
            Enabled = true, Rounds = rounds, PromptsPerRound = 6, SamplesPerPrompt = 2, MaxTokens = 40, TopK = 5, Lambda = 0.5,
            Divergence = divergence ?? new Divergence.Reverse(), Engine = new() { Parallel = 6, ContextPerSequence = 256 },
        },
    };

    static string Round(string run, int round) => Path.Combine(run, OnPolicyRun.RoundsFolderName, $"round-{round:D3}");

    [Fact]
    public void Two_rounds_sample_the_student_score_its_own_top_k_with_the_teacher_and_train_to_the_planned_step()
    {
        using var folder = new TempDirectory();
        string run = folder.File("run");

        var summary = TrainRun.Run(Settings(run));

        Assert.Equal(6, summary.Training.Step);
        Assert.Equal([0, 1], summary.Rounds.Select(r => r.Round));
        Assert.Equal([3L, 6L], summary.Rounds.Select(r => r.StepAtEnd));
        foreach (var round in summary.Rounds)
        {
            Assert.True(round.Samples > 0 && round.SampledTokens > 0);
            Assert.True(round.TeacherNll is > 0 and < 20, $"teacher NLL {round.TeacherNll}");
            var samples = TraceReader.Read(Path.Combine(Round(run, round.Round), "samples")).ToDictionary(r => r.Key);
            var scored = TraceReader.Read(Path.Combine(Round(run, round.Round), "scored")).ToList();
            Assert.Equal(samples.Count, scored.Count);
            Assert.Equal(12, samples.Count); // 6 prompts × 2 samples
            foreach (var s in scored)
            {
                var sample = samples[s.Key];
                Assert.Equal(sample.CompletionTokenIds, s.CompletionTokenIds);
                // Reverse KL: the teacher read at the student's top-k ids, each token's set of ids kept.
                for (int t = 0; t < s.CompletionTokenCount; t++)
                    Assert.Equal(sample.TopIds.AsSpan(t * 5, 5).ToArray().Order(), s.TopIds.AsSpan(t * 5, 5).ToArray().Order());
                for (int t = 0; t < s.CompletionTokenCount; t++)
                    Assert.Equal(1 - s.TopLogprobs.AsSpan(t * 5, 5).ToArray().Sum(lp => Math.Exp(lp)), s.TailMass[t], 0.05);
            }
        }
        // The student's samples differ from the teacher's traces: they are its own, at temperature 1.
        Assert.True(File.Exists(Path.Combine(Round(run, 1), "student.gguf")));
        var metrics = File.ReadAllLines(Path.Combine(run, Trainer.MetricsFileName));
        Assert.Equal(6, metrics.Length);
    }

    [Fact]
    public void Forward_KL_reads_the_teachers_own_top_k_at_the_students_tokens()
    {
        using var folder = new TempDirectory();
        string run = folder.File("run");

        TrainRun.Run(Settings(run, rounds: 1, steps: 2, divergence: new Divergence.Forward()));

        var samples = TraceReader.Read(Path.Combine(Round(run, 0), "samples")).ToDictionary(r => r.Key);
        int differing = 0;
        foreach (var s in TraceReader.Read(Path.Combine(Round(run, 0), "scored")))
            for (int t = 0; t < s.CompletionTokenCount; t++)
            {
                Assert.True(s.TopLogprobs[t * 5] >= s.TopLogprobs[t * 5 + 4]);
                if (!samples[s.Key].TopIds.AsSpan(t * 5, 5).ToArray().Order().SequenceEqual(s.TopIds.AsSpan(t * 5, 5).ToArray().Order())) differing++;
            }
        Assert.True(differing > 0, "the teacher's top-k and the student's differ somewhere");
    }

    [Fact]
    public void A_run_interrupted_inside_a_round_and_between_rounds_resumes_to_the_same_checkpoint_bytes()
    {
        using var folder = new TempDirectory();
        string straight = folder.File("straight"), interrupted = folder.File("interrupted");
        TrainRun.Run(Settings(straight, rounds: 3, steps: 6));

        // Stop inside round 0 (after step 1), then between rounds 1 and 2 (the first thing round 2 does is sample).
        using (var cancel = new CancellationTokenSource())
        {
            var first = TrainRun.Run(Settings(interrupted, rounds: 3, steps: 6), new TrainerRuns.InlineProgress(p => { if (p.Step == 1) cancel.Cancel(); }), cancel.Token);
            Assert.True(first.Training.Interrupted);
            Assert.Equal(1, first.Training.Step);
        }
        using (var cancel = new CancellationTokenSource())
        {
            Assert.ThrowsAny<OperationCanceledException>(() => TrainRun.Run(Settings(interrupted, rounds: 3, steps: 6) with { Resume = true },
                new TrainerRuns.InlineProgress(p => { if (p.Step == 4) cancel.Cancel(); }), cancel.Token));
        }
        Assert.True(Directory.Exists(Path.Combine(Round(interrupted, 1), "scored")));
        Assert.False(Directory.Exists(Path.Combine(Round(interrupted, 2), "samples")));
        Assert.Empty(Directory.EnumerateDirectories(Round(interrupted, 2), "*.staging-*"));

        var resumed = TrainRun.Run(new TrainSettings
        {
            Data = new TraceDataSettings { TracesFolder = demo.Traces }, OutputFolder = interrupted, Resume = true,
        });

        Assert.Equal(6, resumed.Training.Step);
        Assert.Equal([2], resumed.Rounds.Select(r => r.Round));
        string a = Path.Combine(straight, Trainer.CheckpointFolderName), b = Path.Combine(interrupted, Trainer.CheckpointFolderName);
        string[] files = [.. Directory.GetFiles(a).Select(f => Path.GetFileName(f)).Order()];
        Assert.Equal(files, Directory.GetFiles(b).Select(Path.GetFileName).Order().ToArray());
        foreach (var file in files)
            Assert.True(File.ReadAllBytes(Path.Combine(a, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, file))), $"{file} differs after resume");
    }

    [Fact]
    public void On_policy_without_a_teacher_to_score_is_refused_in_one_sentence_before_anything_runs()
    {
        using var folder = new TempDirectory();
        string run = folder.File("run");
        var settings = Settings(run) with { Student = new() { InitPath = demo.DistilledCheckpointGguf } };

        var error = Assert.Throws<OptionsException>(() => TrainRun.Run(settings));

        Assert.Contains("teacher", error.Message);
        Assert.False(Directory.Exists(Path.Combine(run, Trainer.CheckpointFolderName)));
    }
}
