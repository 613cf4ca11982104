using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using ScottPlot;

namespace LlmDistill.Evaluation.Reports;

/// <summary>A chart as PNG bytes, with the words the page shows beside it.</summary>
internal sealed record ReportChart(string Title, string Description, byte[] Png);

/// <summary>
/// The report's charts, drawn with ScottPlot: accuracy with 95% intervals, accuracy against size and against decode
/// speed, and the students' training loss when their folders carried it. Teacher in one colour, students in others.
/// </summary>
internal static class ReportCharts
{
    const int Width = 800, Height = 460;

    public static IReadOnlyList<ReportChart> Draw(EvalReport report)
    {
        var charts = new List<ReportChart>();
        var colour = Colours(report);
        var graded = report.Models.Where(m => m.Accuracy is not null).ToArray();
        if (graded.Length > 0)
        {
            charts.Add(new("Accuracy", "Greedy accuracy per model; whiskers are 95% Wilson intervals.", AccuracyBars(graded, colour)));
            charts.Add(new("Accuracy against size", "Parameters on a log scale: up and to the left is better.",
                AccuracyAgainst(graded, colour, m => Math.Log10(Math.Max(1, m.Params)), "parameters (log scale)", logTicks: true)));
            var timed = graded.Where(m => m.DecodeTokensPerS is not null).ToArray();
            if (timed.Length > 0)
                charts.Add(new("Accuracy against speed", "Decode tokens per second, one sequence alone: up and to the right is better.",
                    AccuracyAgainst(timed, colour, m => m.DecodeTokensPerS!.Value, "decode tokens / s", logTicks: false)));
        }
        var curves = report.Models.Where(m => m.TrainingCurve is { Count: > 0 }).ToArray();
        if (curves.Length > 0) charts.Add(new("Training loss", "Distillation loss per step from each student's metrics.jsonl.", LossCurves(curves, colour)));
        return charts;
    }

    /// <summary>Each model keeps its colour across charts: the teacher black, students by their place in the report.</summary>
    static Func<ModelResult, Color> Colours(EvalReport report)
    {
        var palette = new ScottPlot.Palettes.Category10();
        var names = report.Models.Select(m => m.Name).ToList();
        return m => m.Role == ModelRole.Teacher ? Colors.Black : palette.GetColor(names.IndexOf(m.Name) % palette.Colors.Length);
    }

    static byte[] AccuracyBars(ModelResult[] models, Func<ModelResult, Color> colour)
    {
        var plot = new Plot();
        for (int i = 0; i < models.Length; i++)
        {
            var m = models[i];
            plot.Add.Bar(new Bar { Position = i, Value = m.Accuracy!.Value, FillColor = colour(m).WithAlpha(0.8) });
            var whisker = plot.Add.ErrorBar([(double)i], [m.Accuracy.Value], [m.Accuracy.Value - (m.CiLow ?? m.Accuracy.Value)]);
            whisker.YErrorPositive = [(m.CiHigh ?? m.Accuracy.Value) - m.Accuracy.Value];
            whisker.Color = Colors.Black;
            whisker.LineWidth = 2;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, models.Length).Select(i => (double)i)], [.. models.Select(m => m.Name)]);
        PercentAxis(plot);
        plot.Axes.SetLimitsX(-0.6, models.Length - 0.4);
        plot.Title("Accuracy with 95% intervals");
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    static byte[] AccuracyAgainst(ModelResult[] models, Func<ModelResult, Color> colour, Func<ModelResult, double> x, string label, bool logTicks)
    {
        var plot = new Plot();
        for (int i = 0; i < models.Length; i++)
        {
            var m = models[i];
            double px = x(m), py = m.Accuracy!.Value;
            var whisker = plot.Add.ErrorBar([px], [py], [py - (m.CiLow ?? py)]);
            whisker.YErrorPositive = [(m.CiHigh ?? py) - py];
            whisker.Color = colour(m);
            var marker = plot.Add.Marker(px, py, MarkerShape.FilledCircle, 12, colour(m));
            marker.LegendText = m.Name;
            var text = plot.Add.Text(m.Name, px, py);
            text.LabelFontSize = 13;
            text.LabelOffsetX = 8;
            text.LabelOffsetY = i % 2 == 0 ? -8 : 12; // models at the same spot stay readable
        }
        PercentAxis(plot);
        var xs = models.Select(x).ToArray();
        double spread = Math.Max(xs.Max() - xs.Min(), logTicks ? 0.5 : Math.Max(1, xs.Max() * 0.2));
        double left = xs.Min() - spread * 0.15, right = xs.Max() + spread * 0.3;
        plot.Axes.SetLimitsX(left, right);
        if (logTicks) plot.Axes.Bottom.TickGenerator = LogTicks(left, right);
        plot.XLabel(label);
        plot.Title($"Accuracy against {label}");
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    static byte[] LossCurves(ModelResult[] models, Func<ModelResult, Color> colour)
    {
        var plot = new Plot();
        for (int i = 0; i < models.Length; i++)
        {
            var curve = models[i].TrainingCurve!;
            var line = plot.Add.Scatter(curve.Select(p => (double)p.Step).ToArray(), curve.Select(p => p.Loss).ToArray());
            line.LegendText = models[i].Name;
            line.Color = colour(models[i]);
            line.MarkerSize = curve.Count > 50 ? 0 : 4;
        }
        plot.XLabel("step");
        plot.YLabel("loss (nats per token)");
        plot.Title("Training loss");
        plot.ShowLegend();
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>Ticks at 1, 2 and 5 times each power of ten inside [left, right] (log10 units), labelled 100M, 1B, ….</summary>
    static ScottPlot.TickGenerators.NumericManual LogTicks(double left, double right)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int decade = (int)Math.Floor(left); decade <= (int)Math.Ceiling(right); decade++)
            foreach (double step in new[] { 1.0, 2.0, 5.0 })
            {
                double position = decade + Math.Log10(step);
                if (position >= left && position <= right) ticks.AddMajor(position, ReportText.Count(step * Math.Pow(10, decade)));
            }
        return ticks;
    }

    static void PercentAxis(Plot plot)
    {
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => ReportText.Percent(v, 0) };
        plot.Axes.SetLimitsY(0, 1.05);
        plot.YLabel("accuracy");
    }
}
