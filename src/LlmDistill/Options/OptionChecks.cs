using System.Globalization;

namespace LlmDistill.Options;

/// <summary>The range checks settings records use in <see cref="IValidatedOptions.Validate"/>; null when the value is fine.</summary>
public static class OptionChecks
{
    public static OptionError? AtLeast(string property, double value, double minimum) =>
        value >= minimum ? null : new OptionError(property, $"must be at least {Show(minimum)}, not {Show(value)}");

    public static OptionError? Positive(string property, double value) =>
        value > 0 ? null : new OptionError(property, $"must be positive, not {Show(value)}");

    /// <summary>Inside [<paramref name="low"/>, <paramref name="high"/>] (each end open when its flag says so).</summary>
    public static OptionError? Within(string property, double value, double low, double high, bool lowOpen = false, bool highOpen = false)
    {
        bool ok = (lowOpen ? value > low : value >= low) && (highOpen ? value < high : value <= high);
        return ok ? null : new OptionError(property, $"must lie in {(lowOpen ? "(" : "[")}{Show(low)}, {Show(high)}{(highOpen ? ")" : "]")}, not {Show(value)}");
    }

    public static OptionError? FileExists(string property, string? path) =>
        path is null || File.Exists(path) ? null : new OptionError(property, $"names {path}, which does not exist");

    /// <summary>The non-null errors of <paramref name="checks"/>, then those of nested records under their property names.</summary>
    public static IEnumerable<OptionError> Collect(IEnumerable<OptionError?> checks, params (string Property, IValidatedOptions? Nested)[] nested)
    {
        foreach (var error in checks) if (error is not null) yield return error;
        foreach (var (property, record) in nested)
            if (record is not null)
                foreach (var error in record.Validate()) yield return error.Under(property);
    }

    static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}
