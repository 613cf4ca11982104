namespace LlmDistill.Tests.Evaluation.Reports;

/// <summary>
/// A fact that needs headless Chromium (Debian's <c>chromium</c> package). xunit 2 has no skipping at run time, so the
/// attribute looks for the browser when tests are discovered and marks the test skipped when it is absent, except
/// under CI (<see cref="Chromium.Required"/>): there the test runs and fails, so CI never passes without the browser check.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string SkipReason = "skipped: chromium not installed";

    public ChromiumFactAttribute()
    {
        if (Chromium.Path is null && !Chromium.Required) Skip = SkipReason;
    }
}

/// <summary>Where the Chromium binary is: /usr/bin/chromium, else the first <c>chromium</c> on PATH; null when none.</summary>
public static class Chromium
{
    /// <summary>Set by .ci/run; <c>CI=true</c> (GitHub Actions, GitLab and most others set it) counts too.</summary>
    public const string RequiredVariable = "LLMDISTILL_REQUIRE_CHROMIUM";

    public static string? Path { get; } = Find();

    /// <summary>Whether a missing or broken Chromium fails the browser tests instead of skipping them.</summary>
    public static bool Required { get; } =
        Environment.GetEnvironmentVariable(RequiredVariable) is "1" or "true" || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The binary to start; under CI with none found, a failure that says how CI installs it.</summary>
    public static string Require() => Path ?? throw new Xunit.Sdk.XunitException(
        $"chromium is required here ({RequiredVariable} or CI=true) but was found neither at /usr/bin/chromium nor on PATH: " +
        "install Debian's chromium package (.ci/run does so with apt-get when it can).");

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
