using LlmDistill.Tests.Evaluation;
using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Diagnostics;
using LlmDistill.Evaluation;
using LlmDistill.Tests.Fixtures;
using SkiaSharp;

namespace LlmDistill.Tests.Evaluation.Reports;

/// <summary>The report page as a browser draws it: headless Chromium takes a screenshot of report.html.</summary>
public class TestReportInChromium(TinyEvalFixture eval) : IClassFixture<TinyEvalFixture>
{
    /// <summary>Set to a folder to keep the screenshot and the page for a person to look at.</summary>
    const string KeepVariable = "LLMDISTILL_KEEP_SCREENSHOT";

    [ChromiumFact]
    public void The_report_renders_in_headless_chromium_with_its_charts()
    {
        using var profile = new TempDirectory();
        string screenshot = eval.Scratch("report.png");
        var start = new ProcessStartInfo(Chromium.Require())
        {
            ArgumentList =
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", $"--user-data-dir={profile.Path}", $"--screenshot={screenshot}", "--window-size=1280,2000",
                new Uri(Path.Combine(eval.Folder, ReportFolder.HtmlFile)).AbsoluteUri,
            },
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using (var chromium = Process.Start(start)!)
        {
            var stderr = chromium.StandardError.ReadToEndAsync();
            chromium.StandardOutput.ReadToEnd();
            Assert.True(chromium.WaitForExit(TimeSpan.FromMinutes(2)), "chromium did not finish in 2 minutes");
            Assert.True(File.Exists(screenshot), $"chromium wrote no screenshot (exit {chromium.ExitCode}): {stderr.Result}");
        }
        if (Environment.GetEnvironmentVariable(KeepVariable) is { Length: > 0 } keep)
        {
            File.Copy(screenshot, Path.Combine(keep, "report.png"), overwrite: true);
            File.Copy(Path.Combine(eval.Folder, ReportFolder.HtmlFile), Path.Combine(keep, ReportFolder.HtmlFile), overwrite: true);
        }

        using var image = SKBitmap.Decode(screenshot);
        Assert.Equal(1280, image.Width);
        Assert.Equal(2000, image.Height);
        // A page that failed to render is one flat colour; the report has text and tables in greys and charts whose
        // student markers are coloured (Category10 orange and green), which only the embedded PNGs can contribute.
        int coloured = 0;
        var shades = new HashSet<SKColor>();
        for (int y = 0; y < image.Height; y += 2)
            for (int x = 0; x < image.Width; x += 2)
            {
                var c = image.GetPixel(x, y);
                shades.Add(c);
                if (Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) > 80) coloured++;
            }
        Assert.True(shades.Count > 50, $"the screenshot has only {shades.Count} colours");
        Assert.True(coloured > 100, $"the screenshot has {coloured} coloured pixels: the charts did not render");
    }
}
