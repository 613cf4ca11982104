using LlmDistill.Demo;
using Xunit;

namespace LlmDistill.Tests.Demo;

public class TestDemoBars
{
    static DemoStudentResult Student(params double[] seeds) => DemoStudentResult.Of(seeds, 44_000, 60);

    static DemoSummary Summary(int seeds, double wallSeconds, DemoStudentResult? onPolicy, DemoStudentResult? control) => new()
    {
        Recipe = "hard", TeacherRecipe = "hard", TeacherAccuracy = 0.85, HeldoutQuestions = 500, WallSeconds = wallSeconds,
        TeacherParams = 900_000, TeacherCached = true, TeacherTrainingSeconds = 0,
        Baseline = Student([.. Enumerable.Repeat(0.10, seeds)]), Rationale = Student([.. Enumerable.Repeat(0.60, seeds)]),
        Distilled = Student([.. Enumerable.Repeat(0.80, seeds)]), Onpolicy = onPolicy, Continued = control, Seeds = seeds,
        PoolQuestions = 4000, KeptTraces = 7000, TeacherPoolAccuracy = 0.8, Report = "report", StageSeconds = new Dictionary<string, double>(), Bars = [],
    };

    [Fact]
    public void The_control_bar_compares_on_policy_with_its_equal_steps_control_and_is_missing_without_it()
    {
        var bars = DemoBars.Check(Summary(3, 600, Student(0.85, 0.85, 0.85), Student(0.84, 0.84, 0.84)), DemoRecipe.Hard);
        var control = Assert.Single(bars, b => b.Name.Contains("(c′)"));
        Assert.False(control.Met); // +1 point
        Assert.Equal("+1.0 points", control.Measured);
        Assert.True(Assert.Single(bars, b => b.Name.StartsWith("on-policy (d) beats distilled (c)")).Met); // +5 points

        var wide = DemoBars.Check(Summary(3, 600, Student(0.90, 0.90, 0.90), Student(0.84, 0.84, 0.84)), DemoRecipe.Hard);
        Assert.True(Assert.Single(wide, b => b.Name.Contains("(c′)")).Met);
        Assert.DoesNotContain(DemoBars.Check(Summary(3, 600, Student(0.85, 0.85, 0.85), control: null), DemoRecipe.Hard), b => b.Name.Contains("(c′)"));
    }

    [Theory]
    [InlineData(1, 24 * 60, true)]
    [InlineData(1, 26 * 60, false)]
    [InlineData(3, 60 * 60, true)]
    [InlineData(3, 80 * 60, false)]
    public void The_time_bar_is_25_minutes_per_seed(int seeds, double wallSeconds, bool met)
    {
        var time = Assert.Single(DemoBars.Check(Summary(seeds, wallSeconds, null, null), DemoRecipe.Full), b => b.Name.StartsWith("wall time"));
        Assert.Equal(met, time.Met);
        Assert.Contains($"<= {25 * seeds} min", time.Name);
    }
}
