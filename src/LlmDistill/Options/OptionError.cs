using System.Text.RegularExpressions;

namespace LlmDistill.Options;

/// <summary>
/// One invalid setting: the property path inside the settings record (<c>Sampling.TopP</c>) and what is wrong with
/// its value, as a phrase that follows the name ("must lie in (0, 1], not 1.5"). The phrase may name other options
/// as <c>{Force}</c> (a path from the same root); each front end writes every name its own way (<see cref="Render"/>).
/// </summary>
public sealed partial record OptionError(string Property, string Problem)
{
    /// <summary>The same error one record further out: <c>TopP</c> inside <c>Sampling</c> becomes <c>Sampling.TopP</c>.</summary>
    public OptionError Under(string parent) => new($"{parent}.{Property}", Reference().Replace(Problem, m => $"{{{parent}.{m.Groups[1].Value}}}"));

    /// <summary>The sentence with every property path written by <paramref name="name"/> (a flag, a YAML key, a path).</summary>
    public string Render(Func<string, string> name) => $"{name(Property)} {Reference().Replace(Problem, m => name(m.Groups[1].Value))}";

    public override string ToString() => Render(path => path);

    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9.]*)\}")]
    private static partial Regex Reference();
}

/// <summary>A settings record that can say what is wrong with its values, naming each property.</summary>
public interface IValidatedOptions
{
    /// <summary>Every invalid value (nested records included, their paths prefixed); empty when all is well.</summary>
    IEnumerable<OptionError> Validate();
}
