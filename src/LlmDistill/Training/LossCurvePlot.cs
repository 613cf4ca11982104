using ScottPlot;

namespace LlmDistill.Training;

/// <summary>The run's loss curve as a PNG: training loss and its parts per logged step, held-out loss per evaluation.</summary>
internal static class LossCurvePlot
{
    /// <summary>Writes <paramref name="path"/> (replaced atomically); 900 × 540 pixels.</summary>
    public static void Write(string path, IReadOnlyList<TrainingMetrics> records, string title = "distillation loss")
    {
        var plot = new Plot();
        Line(plot, records, r => r.Loss, "train loss");
        Line(plot, records, r => r.Kl, "KL (before α·T²)");
        Line(plot, records, r => r.NllRationale, "NLL rationale");
        Line(plot, records, r => r.NllAnswer, "NLL answer");
        var eval = Line(plot, records, r => r.EvalLoss, "eval loss");
        if (eval is not null) eval.MarkerSize = 7;
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("nats per token");
        plot.ShowLegend();
        string temp = $"{path}.tmp-{Environment.ProcessId}.png";
        plot.SavePng(temp, 900, 540);
        File.Move(temp, path, overwrite: true);
    }

    static ScottPlot.Plottables.Scatter? Line(Plot plot, IReadOnlyList<TrainingMetrics> records, Func<TrainingMetrics, double?> value, string label)
    {
        var points = records.Where(r => value(r) is double v && double.IsFinite(v)).ToArray();
        if (points.Length == 0) return null;
        var scatter = plot.Add.Scatter(points.Select(r => (double)r.Step).ToArray(), points.Select(r => value(r)!.Value).ToArray());
        scatter.LegendText = label;
        scatter.MarkerSize = points.Length > 50 ? 0 : 4;
        return scatter;
    }
}
