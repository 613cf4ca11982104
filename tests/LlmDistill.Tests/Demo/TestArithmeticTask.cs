using LlmDistill.Demo.Arithmetic;
using LlmDistill.Answers;
using LlmDistill.Generation.Datasets;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Generation;

namespace LlmDistill.Tests.Demo;

public class TestArithmeticTask
{
    static readonly ArithmeticTask Default = new();
    static readonly ArithmeticTask Mixed = new(ArithmeticTaskOptions.Mixed);

    [Fact]
    public void The_briefs_example_reads_back_to_its_three_steps()
    {
        const string question = "Ann has 23 apples. She buys 4 bags of 7 apples. She gives away 15. How many apples now?";
        var steps = ArithmeticTask.GoldSteps(question, out string? failure);
        Assert.Null(failure);
        Assert.Equal(["4*7=28", "23+28=51", "51-15=36"], steps!.Select(s => s.ToString()));
        Assert.True(ArithmeticTask.Verify(question, "4*7=28. 23+28=51. 51-15=36.", "36").IsValid);
    }

    [Fact]
    public void Same_seed_writes_the_same_files_byte_for_byte_and_another_seed_does_not()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        using var c = new TempDirectory();
        Default.WriteSplits(a.Path, seed: 7, trainCount: 300, heldOutCount: 100);
        Default.WriteSplits(b.Path, seed: 7, trainCount: 300, heldOutCount: 100);
        Default.WriteSplits(c.Path, seed: 8, trainCount: 300, heldOutCount: 100);
        foreach (string name in new[] { ArithmeticTask.TrainFileName, ArithmeticTask.HeldOutFileName })
        {
            Assert.Equal(File.ReadAllBytes(a.File(name)), File.ReadAllBytes(b.File(name)));
            Assert.NotEqual(File.ReadAllBytes(a.File(name)), File.ReadAllBytes(c.File(name)));
        }
    }

    [Fact]
    public void Shipped_datasets_are_what_the_generator_writes_and_stay_small()
    {
        var splits = Default.Splits(ArithmeticTask.ShippedSeed, ArithmeticTask.ShippedTrainCount, ArithmeticTask.ShippedHeldOutCount);
        foreach (var (name, problems) in new[] { (ArithmeticTask.TrainFileName, splits.Train), (ArithmeticTask.HeldOutFileName, splits.HeldOut) })
        {
            string path = RepositoryFiles.Path(Path.Combine("datasets", name));
            Assert.True(ArithmeticJsonl.ToText(problems) == File.ReadAllText(path),
                $"{path} is not what ArithmeticTask writes for seed {ArithmeticTask.ShippedSeed}; regenerate it with WriteSplits");
            Assert.True(new FileInfo(path).Length < 1_000_000, $"{path} is {new FileInfo(path).Length} bytes");
        }
    }

    public static TheoryData<string> Presets => ["default", "mixed"];

    static ArithmeticTask Preset(string name) => name == "mixed" ? Mixed : Default;

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_problem_verifies_and_needs_at_least_three_dependent_operations(string preset)
    {
        var task = Preset(preset);
        foreach (var p in task.Generate(seed: 3, count: 2000))
        {
            var verdict = ArithmeticTask.Verify(p.Question, p.Rationale, p.Answer.ToString());
            Assert.True(verdict.IsValid, $"{p.Question} | {p.Rationale}: {verdict.Failure}");
            Assert.Equal(task.Options.Operations, p.Steps.Count);
            Assert.True(p.DependencyDepth >= 3, $"{p.Rationale}: depth {p.DependencyDepth}");
            // every result but the last feeds a later step, so no operation can be skipped
            for (int i = 0; i < p.Steps.Count - 1; i++)
                Assert.Contains(p.Steps.Skip(i + 1), s => s.LeftStep == i || s.RightStep == i);
            Assert.All(p.Steps, s => Assert.InRange(s.Result, 1, task.Options.MaxValue));
        }
    }

    [Fact]
    public void Default_problems_have_the_calibrated_shape_and_ranges()
    {
        var o = ArithmeticTaskOptions.Default;
        foreach (var p in Default.Generate(seed: 4, count: 1000))
        {
            var (product, sum, difference) = (p.Steps[0], p.Steps[1], p.Steps[2]);
            Assert.Equal(('*', '+', '-'), (product.Operator, sum.Operator, difference.Operator));
            Assert.True(o.GroupCount.Contains(product.Left) && o.GroupSize.Contains(product.Right), p.Question);
            Assert.True(o.Start.Contains(sum.Left) && o.Change.Contains(difference.Right), p.Question);
        }
    }

    [Fact]
    public void Splits_share_no_question_and_no_arithmetic()
    {
        var splits = Default.Splits(seed: 5, trainCount: 2000, heldOutCount: 500);
        Assert.Equal((2000, 500), (splits.Train.Count, splits.HeldOut.Count));
        var all = splits.Train.Concat(splits.HeldOut).ToList();
        Assert.Equal(all.Count, all.Select(p => p.Question).Distinct().Count());
        Assert.Equal(all.Count, all.Select(p => p.Rationale).Distinct().Count());
        Assert.Equal(all.Count, all.Select(p => p.Id).Distinct().Count());
        // the training split does not depend on how many held-out problems are asked for
        static (string, string, string) Key(ArithmeticProblem p) => (p.Id, p.Question, p.GoldAnswer);
        Assert.Equal(splits.Train.Select(Key), Default.Splits(seed: 5, trainCount: 2000, heldOutCount: 0).Train.Select(Key));
    }

    [Fact]
    public void Written_files_read_back_with_the_gold_rationale_and_answer_the_extractor_finds()
    {
        using var folder = new TempDirectory();
        var splits = Default.WriteSplits(folder.Path, seed: 6, trainCount: 200, heldOutCount: 50);
        var rows = DatasetReader.Open(folder.File(ArithmeticTask.TrainFileName)).ToList();
        Assert.Equal(200, rows.Count);
        foreach (var (row, problem) in rows.Zip(splits.Train))
        {
            Assert.Equal((problem.Id, problem.Question), (row.Id, row.Question));
            Assert.Equal(problem.Answer.ToString(), row.GoldAnswer);
            Assert.Equal(problem.Rationale, row.GoldRationale);
            var extracted = AnswerExtractor.Default.Extract(problem.GoldAnswer);
            Assert.Equal((problem.Answer.ToString(), "gsm8k"), (extracted.Answer, extracted.Pattern));
            Assert.Equal(problem.Rationale, extracted.Rationale);
        }
    }

    [Theory]
    [InlineData("4*7=28. 23+28=51. 51-15=36.", "36", null)]
    [InlineData("4 * 7 = 28, 28 + 23 = 51, 51 - 15 = 36", "36", null)]
    [InlineData("4*7=29. 23+29=52. 52-15=37.", "37", "step 1 '4*7=29' is wrong")]
    [InlineData("4*7=28. 51-15=36.", "36", "has 2 steps, the question needs 3")]
    [InlineData("4*7=28. 23+28=51. 51-14=37.", "37", "step 3 is '51-14=37'")]
    [InlineData("4*7=28. 23+28=51. 51-15=36.", "35", "the answer is '35'")]
    [InlineData("4*7=28. 23+28=51. 15-51=0.", "0", "step 3 '15-51=0' is wrong")]
    public void Verify_recomputes_every_step_against_the_question(string rationale, string answer, string? failure)
    {
        var verdict = ArithmeticTask.Verify("Ben starts with 23 pens. He gets 4 boxes of 7. He loses 15. How many pens does Ben have now?", rationale, answer);
        Assert.Equal(failure is null, verdict.IsValid);
        if (failure is not null) Assert.Contains(failure, verdict.Failure);
        Assert.Equal(3, verdict.Operations);
    }

    [Fact]
    public void Verify_refuses_questions_outside_the_tasks_wordings()
    {
        var verdict = ArithmeticTask.Verify("Ann has 23 apples. She eats 4. How many apples now?", "23-4=19.", "19");
        Assert.False(verdict.IsValid);
        Assert.Contains("She eats 4.", verdict.Failure);
    }

    [Fact]
    public void Verify_does_not_overflow_on_huge_numbers()
    {
        var verdict = ArithmeticTask.Verify("Ann has 5 apples. She buys 2000000 bags of 2000000 apples. She gives away 1. How many apples now?", "2000000*2000000=0.", "0");
        Assert.False(verdict.IsValid);
        Assert.False(ArithmeticTask.Verify("Ann has 5 apples. She buys 2 bags of 3 apples. She gives away 1. How many apples now?",
            "2*3=6. 5+6=11. 11-1=10. 4294967295*1=4294967295", "10").IsValid);
    }

    [Fact]
    public void Options_that_cannot_give_three_dependent_operations_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ArithmeticTask(ArithmeticTaskOptions.Default with { Operations = 2 }));
        Assert.Throws<ArgumentException>(() => new ArithmeticTask(ArithmeticTaskOptions.Default with { SingleEvents = [] }));
        Assert.Throws<ArgumentException>(() => new ArithmeticTask(ArithmeticTaskOptions.Default with { Phrasings = 9 }));
    }

    [Fact]
    public void Asking_for_more_problems_than_the_options_allow_fails_with_a_message()
    {
        var tiny = new ArithmeticTask(ArithmeticTaskOptions.Default with
        {
            Start = new(10, 10), GroupCount = new(2, 2), GroupSize = new(3, 3), Change = new(5, 6),
        });
        var e = Assert.Throws<InvalidOperationException>(() => tiny.Generate(seed: 1, count: 3));
        Assert.Contains("only 2 distinct problems", e.Message);
    }
}
