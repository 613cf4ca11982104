namespace LlmDistill.Tests.Evaluation.Reports;

/// <summary>
/// A fact that needs headless Chromium (Debian's <c>chromium</c> package). xunit 2 has no skipping at run time, so the
/// attribute looks for the browser when tests are discovered and marks the test skipped when it is absent.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string SkipReason = "skipped: chromium not installed";

    public ChromiumFactAttribute()
    {
        if (Chromium.Path is null) Skip = SkipReason;
    }
}

/// <summary>Where the Chromium binary is: /usr/bin/chromium, else the first <c>chromium</c> on PATH; null when none.</summary>
public static class Chromium
{
    public static string? Path { get; } = Find();

    static string? Find()
    {
        if (File.Exists("/usr/bin/chromium")) return "/usr/bin/chromium";
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = System.IO.Path.Combine(folder, "chromium");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
