namespace LlmDistill.Demo;

/// <summary>The demo's bars (issue: teacher ≥ 90%, (c) ≥ 90% of the teacher, (c) − (a) ≥ 10 points on ≥ 500 questions, time).</summary>
public static class DemoBars
{
    public static IReadOnlyList<DemoBar> Check(DemoSummary s, DemoRecipe recipe)
    {
        double minutes = s.WallSeconds / 60;
        double timeBar = recipe.Name == "quick" ? 3 : s.TeacherCached ? 10 : 15;
        return
        [
            new("teacher held-out accuracy >= 90%", $"{s.TeacherAccuracy:P1}", s.TeacherAccuracy >= 0.90),
            new("distilled (c) >= 90% of the teacher", $"{s.Distilled.Accuracy:P1} = {Ratio(s.Distilled.Accuracy, s.TeacherAccuracy):P0} of the teacher",
                s.Distilled.Accuracy >= 0.9 * s.TeacherAccuracy),
            new("distilled (c) beats baseline (a) by >= 10 points", $"{100 * (s.Distilled.Accuracy - s.Baseline.Accuracy):+0.0;-0.0} points",
                s.Distilled.Accuracy - s.Baseline.Accuracy >= 0.10),
            new("students <= 1/5 of the teacher's parameters", $"{Ratio(s.Distilled.Params, s.TeacherParams):P1}", s.Distilled.Params * 5 <= s.TeacherParams),
            new(">= 500 held-out questions", $"{s.HeldoutQuestions}", s.HeldoutQuestions >= 500),
            new($"wall time <= {timeBar} min", $"{minutes:F1} min", minutes <= timeBar),
        ];
    }

    static double Ratio(double a, double b) => b == 0 ? 0 : a / b;
}
