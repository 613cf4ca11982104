namespace LlmDistill.Options;

/// <summary>
/// Marks a settings record whose properties are options in their own right: the CLI and <c>pipeline.yaml</c> show
/// them flat, beside the properties of the record that holds it (<c>--top-p</c>, not <c>--sampling-top-p</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OptionGroupAttribute : Attribute;

/// <summary>
/// The option's name when the property's own name would be ambiguous or long: written in kebab case
/// (<c>sampling-top-k</c>); the CLI flag is <c>--</c> + name and the YAML key the same name in snake case.
/// Aliases are extra CLI spellings (<c>-t</c>, <c>--lr</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class OptionNameAttribute(string name, params string[] aliases) : Attribute
{
    public string Name { get; } = name;
    public IReadOnlyList<string> Aliases { get; } = aliases;
}

/// <summary>A property of a settings record that is set from code only (a value with structure, or a run-time object).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class NotAnOptionAttribute : Attribute;

/// <summary>
/// A file or folder path. The CLI reads it against the current folder; <c>pipeline.yaml</c> against the file's own
/// folder. <see cref="MayBeName"/>: the value may instead name something built in (a prompt, a student preset), so it
/// is read as a path only when that file exists.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class PathOptionAttribute(bool mayBeName = false) : Attribute
{
    public bool MayBeName { get; } = mayBeName;
}
