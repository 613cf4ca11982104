using System.CommandLine;
using LlmDistill.Pipeline;
using LlmDistill.Training;
using LlmDistill.Training.Losses;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill train`: a student learns the teacher's traces (KL to its top-k distributions + rationale/answer likelihood).</summary>
static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainerOptions();
        var lossDefaults = new DistillationLossOptions();
        var traces = new Option<DirectoryInfo>("--traces") { Description = "Trace folder written by `llmdistill generate`.", Required = true };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Run folder: checkpoint/, metrics.jsonl, loss.png, data.json.", Required = true };
        var student = new Option<string?>("--student") { Description = "Shape of a random student: tiny, 10m, 60m (parameters outside the embedding) or a YAML shape file." };
        var teacher = new Option<FileInfo?>("--teacher", "-t") { Description = "The teacher GGUF that wrote the traces: a random student takes its vocabulary and family." };
        var init = new Option<FileInfo?>("--init") { Description = "Start from a smaller pretrained GGUF of the teacher's family (same tokenizer)." };
        var initFromTeacher = new Option<FileInfo?>("--init-from-teacher") { Description = "Start from chosen blocks of this teacher GGUF (see --layers)." };
        var layers = new Option<string>("--layers") { Description = "Teacher blocks for --init-from-teacher: every-other, all, or indices like 0,2,4,6.", DefaultValueFactory = _ => "every-other" };
        var resume = new Option<bool>("--resume") { Description = "Continue the checkpoint in --out with its saved settings (--steps may raise the total)." };
        var steps = new Option<int?>("--steps") { Description = $"Optimizer updates (default {defaults.Steps})." };
        var epochs = new Option<double?>("--epochs") { Description = "Passes over the training traces instead of --steps." };
        var batchSize = new Option<int>("--batch-size", "-b") { Description = "Sequences per micro-batch.", DefaultValueFactory = _ => defaults.BatchSize };
        var gradAccum = new Option<int>("--grad-accum") { Description = "Micro-batches per optimizer update.", DefaultValueFactory = _ => defaults.GradAccumulation };
        var maxLength = new Option<int>("--max-length") { Description = "Most tokens per sequence (prompt + completion; long prompts lose their start).", DefaultValueFactory = _ => 1024 };
        var evalPercent = new Option<int>("--eval-percent") { Description = "Percent of questions held out for the eval loss.", DefaultValueFactory = _ => 5 };
        var allTraces = new Option<bool>("--all-traces") { Description = "Train on every trace, not only those generate marked keep." };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (AdamW).", DefaultValueFactory = _ => defaults.LearningRate };
        var minLr = new Option<double?>("--min-lr") { Description = "Learning rate at the end of the cosine decay (default --lr / 10)." };
        var warmup = new Option<int>("--warmup") { Description = "Linear warmup steps.", DefaultValueFactory = _ => defaults.WarmupSteps };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay on matrices.", DefaultValueFactory = _ => defaults.WeightDecay };
        var gradClip = new Option<double>("--grad-clip") { Description = "Clip the global gradient norm to this (0 = off).", DefaultValueFactory = _ => defaults.GradClip };
        var alpha = new Option<double>("--alpha") { Description = "Weight of the KL term; 1 − alpha goes to the rationale/answer likelihood.", DefaultValueFactory = _ => lossDefaults.Alpha };
        var temperature = new Option<double>("--temperature") { Description = "Softening temperature of the KL term (scaled by T²).", DefaultValueFactory = _ => lossDefaults.Temperature };
        var divergence = new Option<string>("--divergence") { Description = "forward (KL(teacher‖student)), reverse, or jsd.", DefaultValueFactory = _ => "forward" };
        var jsdBeta = new Option<double>("--jsd-beta") { Description = "β of the generalized JSD (with --divergence jsd).", DefaultValueFactory = _ => 0.5 };
        var rationaleWeight = new Option<double>("--rationale-weight") { Description = "Weight of rationale tokens in the likelihood term.", DefaultValueFactory = _ => lossDefaults.RationaleWeight };
        var answerWeight = new Option<double>("--answer-weight") { Description = "Weight of answer tokens in the likelihood term.", DefaultValueFactory = _ => lossDefaults.AnswerWeight };
        var evalEvery = new Option<int>("--eval-every") { Description = "Held-out loss every N steps (0 = only at the end).", DefaultValueFactory = _ => defaults.EvalEvery };
        var evalBatches = new Option<int>("--eval-batches") { Description = "Held-out batches per evaluation.", DefaultValueFactory = _ => defaults.EvalBatches };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Checkpoint every N steps (also at the end and on Ctrl-C).", DefaultValueFactory = _ => defaults.CheckpointEvery };
        var logEvery = new Option<int>("--log-every") { Description = "Metrics line every N steps.", DefaultValueFactory = _ => defaults.LogEvery };
        var seed = new Option<long>("--seed") { Description = "Seed of the student's initialisation and the data shuffle.", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu, or cuda (needs the CUDA build of TorchSharp).", DefaultValueFactory = _ => "cpu" };
        var bf16 = new Option<bool>("--bf16") { Description = "bfloat16 autocast where supported (ignored, with a note, on this TorchSharp build)." };

        var command = new Command("train",
            "Train a student on teacher traces: KL to the teacher's top-k distributions plus rationale/answer likelihood.\n" +
            "Examples:\n" +
            "  llmdistill train --traces traces/gsm8k --teacher qwen2.5-7b-instruct-q4_k_m.gguf --student 60m --out runs/s1 --steps 5000\n" +
            "  llmdistill train --traces traces/gsm8k --init-from-teacher qwen2.5-0.5b-instruct-f16.gguf --layers every-other --out runs/s2 --divergence jsd\n" +
            "  llmdistill train --traces traces/gsm8k --out runs/s1 --resume --steps 8000")
        {
            traces, output, student, teacher, init, initFromTeacher, layers, resume, steps, epochs, batchSize, gradAccum, maxLength, evalPercent, allTraces,
            lr, minLr, warmup, weightDecay, gradClip, alpha, temperature, divergence, jsdBeta, rationaleWeight, answerWeight,
            evalEvery, evalBatches, checkpointEvery, logEvery, seed, device, bf16,
        };

        command.SetAction(parsed =>
        {
            double peak = parsed.GetValue(lr);
            var settings = new TrainSettings
            {
                Data = new TraceDataSettings
                {
                    TracesFolder = parsed.GetRequiredValue(traces).FullName, MaxSequenceLength = parsed.GetValue(maxLength),
                    EvaluationPercent = parsed.GetValue(evalPercent), AllTraces = parsed.GetValue(allTraces),
                },
                OutputFolder = parsed.GetRequiredValue(output).FullName,
                Student = parsed.GetValue(student), TeacherPath = parsed.GetValue(teacher)?.FullName,
                InitPath = parsed.GetValue(init)?.FullName, InitFromTeacherPath = parsed.GetValue(initFromTeacher)?.FullName, Layers = parsed.GetValue(layers)!,
                Resume = parsed.GetValue(resume), ResumeSteps = parsed.GetValue(steps),
                Options = new TrainerOptions
                {
                    Steps = parsed.GetValue(steps) ?? defaults.Steps, Epochs = parsed.GetValue(epochs), BatchSize = parsed.GetValue(batchSize),
                    GradAccumulation = parsed.GetValue(gradAccum), LearningRate = peak, MinLearningRate = parsed.GetValue(minLr) ?? peak / 10,
                    WarmupSteps = parsed.GetValue(warmup), WeightDecay = parsed.GetValue(weightDecay), GradClip = parsed.GetValue(gradClip),
                    EvalEvery = parsed.GetValue(evalEvery), EvalBatches = parsed.GetValue(evalBatches), CheckpointEvery = parsed.GetValue(checkpointEvery),
                    LogEvery = parsed.GetValue(logEvery), Seed = parsed.GetValue(seed), Device = parsed.GetValue(device)!, Bf16 = parsed.GetValue(bf16),
                    Loss = new DistillationLossOptions
                    {
                        Alpha = parsed.GetValue(alpha), Temperature = parsed.GetValue(temperature),
                        Divergence = ParseDivergence(parsed.GetValue(divergence)!, parsed.GetValue(jsdBeta)),
                        RationaleWeight = parsed.GetValue(rationaleWeight), AnswerWeight = parsed.GetValue(answerWeight),
                    },
                },
            };
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            using var cancel = CtrlC.Cancellation();
            TrainRunSummary summary = null!;
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    var task = context.AddTask("train", maxValue: 1);
                    summary = TrainRun.Run(settings, new InlineProgress<TrainingProgress>(p =>
                    {
                        task.MaxValue = p.TotalSteps;
                        task.Value = p.Step;
                        task.Description = Markup.Escape(Describe(p));
                    }), cancel.Token);
                    task.Value = task.MaxValue;
                });
            Render(summary, console);
            return summary.Training.Interrupted ? CliErrors.Cancelled : 0;
        });
        return command;
    }

    static Divergence ParseDivergence(string name, double beta) => name.Trim().ToLowerInvariant() switch
    {
        "forward" => new Divergence.Forward(),
        "reverse" => new Divergence.Reverse(),
        "jsd" => new Divergence.Jsd(beta),
        _ => throw new ArgumentException($"--divergence must be forward, reverse or jsd, not '{name}'."),
    };

    static string Describe(TrainingProgress p)
    {
        if (p.Latest is not { } m) return $"step {p.Step}/{p.TotalSteps}";
        string eval = p.EvalLoss is double e ? $", eval {e:F3}" : "";
        return $"step {p.Step}/{p.TotalSteps}  loss {m.Loss:F3} (kl {m.Kl:F3}, nll {m.NllRationale:F3}/{m.NllAnswer:F3}){eval}, {m.TokensPerSecond:F0} tok/s";
    }

    static void Render(TrainRunSummary run, IAnsiConsole console)
    {
        var s = run.Training;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("train").AddColumn("value");
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("student", $"{run.Parameters / 1e6:F2}M parameters, {run.Origin}");
        Row("steps", $"{s.Step} of {s.TotalSteps} ({s.StepsThisRun} in this run)");
        if (s.Loss is { } m)
            Row("loss (kl / nll rationale / nll answer)", $"{m.Loss:F4} ({m.Kl:F4} / {m.NllRationale:F4} / {m.NllAnswer:F4}) at step {m.Step}");
        Row("eval loss", s.EvalLoss is double e ? $"{e:F4}" : "no held-out traces");
        Row("tokens", $"{s.TokensSeen:N0} ({s.TokensPerSecond:F0} tok/s in this run)");
        Row("wall time", $"{s.Wall.TotalSeconds:F1} s");
        Row("checkpoint", s.CheckpointFolder);
        Row("metrics", Path.Combine(s.RunFolder, Trainer.MetricsFileName) + ", " + Path.Combine(s.RunFolder, Trainer.PlotFileName));
        foreach (string note in s.Notes) Row("note", note);
        console.Write(table);
        if (s.Interrupted) console.MarkupLine("[yellow]interrupted:[/] the checkpoint holds the last finished step; add --resume to the same command to continue.");
    }
}
