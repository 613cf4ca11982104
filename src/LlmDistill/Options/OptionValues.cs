using System.Globalization;
using System.Reflection;

namespace LlmDistill.Options;

/// <summary>
/// Text ⇄ value for every option type, shared by the CLI and <c>pipeline.yaml</c> so that both accept the same
/// spellings: numbers in invariant culture, <c>true</c>/<c>false</c>, enum members in kebab case, and any type with a
/// static <c>Parse(string)</c> (<see cref="Training.ComputeDevice"/>, <see cref="Student.LayerSelection"/>, …).
/// </summary>
public static class OptionValues
{
    /// <summary>Parses <paramref name="text"/> as <paramref name="type"/>; a bad value throws <see cref="FormatException"/> saying what was expected.</summary>
    public static object? Parse(string text, Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) return Parse(text, inner);
        string t = text.Trim();
        if (type == typeof(string)) return text;
        if (type == typeof(bool))
            return bool.TryParse(t, out bool b) ? b : throw new FormatException($"'{text}' is not true or false");
        if (type == typeof(int))
            return int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : throw new FormatException($"'{text}' is not a whole number");
        if (type == typeof(long))
            return long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : throw new FormatException($"'{text}' is not a whole number");
        if (type == typeof(float))
            return float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out float f) && float.IsFinite(f) ? f : throw new FormatException($"'{text}' is not a number");
        if (type == typeof(double))
            return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : throw new FormatException($"'{text}' is not a number");
        if (type.IsEnum)
        {
            foreach (object member in Enum.GetValues(type))
                if (string.Equals(Format(member), t, StringComparison.OrdinalIgnoreCase)) return member;
            throw new FormatException($"'{text}' is not one of {string.Join(", ", Choices(type)!)}");
        }
        var parse = type.GetMethod("Parse", BindingFlags.Public | BindingFlags.Static, [typeof(string)])
            ?? throw new NotSupportedException($"Options of type {type.Name} cannot be read from text.");
        try
        {
            return parse.Invoke(null, [t]);
        }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentException or FormatException)
        {
            throw new FormatException(e.InnerException.Message, e.InnerException);
        }
    }

    /// <summary>How a value is written back (help defaults, YAML examples): the inverse of <see cref="Parse"/>.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        Enum e => OptionNames.Kebab(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The accepted spellings of a closed set (enum members); null for open types.</summary>
    public static IReadOnlyList<string>? Choices(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum ? Enum.GetValues(type).Cast<object>().Select(Format).ToArray() : null;
    }
}
