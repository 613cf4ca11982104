using System.ComponentModel;
using System.Reflection;

namespace LlmDistill.Options;

/// <summary>
/// One option of a settings record, found by reflection: its name, the chain of properties that leads to it from
/// the root record (nested <see cref="OptionGroupAttribute"/> records are walked), its help text and default.
/// </summary>
public sealed record OptionField(string Name, IReadOnlyList<string> Aliases, IReadOnlyList<PropertyInfo> Chain, string Description, bool Required, object? Default)
{
    /// <summary>The property path from the root (<c>Sampling.TopP</c>), as <see cref="OptionError.Property"/> writes it.</summary>
    public string Path => string.Join('.', Chain.Select(p => p.Name));

    public PropertyInfo Property => Chain[^1];
    public Type Type => Property.PropertyType;
    public bool IsList => Type != typeof(string) && Type.IsAssignableTo(typeof(System.Collections.IEnumerable));
    public bool IsFlag => Type == typeof(bool);

    /// <summary>A file or folder path (see <see cref="PathOptionAttribute"/>); null when the option is not one.</summary>
    public PathOptionAttribute? PathKind => Property.GetCustomAttribute<PathOptionAttribute>();

    /// <summary>
    /// <paramref name="text"/> as this option's value read against <paramref name="baseFolder"/>: a path option's relative
    /// path made absolute (a name-or-path option only when that file exists, else it stays a name); other options as given.
    /// </summary>
    public string Resolve(string text, string baseFolder)
    {
        if (PathKind is not { } kind || text.Length == 0) return text;
        string full = System.IO.Path.GetFullPath(text, baseFolder);
        return !kind.MayBeName || File.Exists(full) ? full : text;
    }

    /// <summary>Help text: the description, the accepted values of a closed set, and the default when there is one worth showing.</summary>
    public string Help
    {
        get
        {
            string text = Description;
            if (OptionValues.Choices(Type) is { } choices && !Description.Contains(choices[0], StringComparison.Ordinal)) text += $" One of: {string.Join(", ", choices)}.";
            string shown = OptionValues.Format(Default);
            if (Default is not null and not false && shown.Length > 0 && !IsList) text += $" [default: {shown}]";
            return text;
        }
    }

    /// <summary>The option reading <paramref name="path"/> (a property path such as <c>Sampling.TopP</c>) among <paramref name="fields"/>; null when none does.</summary>
    public static OptionField? At(IEnumerable<OptionField> fields, string path) => fields.FirstOrDefault(f => f.Path == path);

    /// <summary>The option name an error about <paramref name="path"/> is reported under; a path no option reads (a group, a code-only property) by its last part.</summary>
    public static string NameOf(IEnumerable<OptionField> fields, string path) => At(fields, path)?.Name ?? OptionNames.Kebab(path.Split('.')[^1]);

    /// <summary>Every option of <paramref name="root"/>, in declaration order, nested groups in place.</summary>
    public static IReadOnlyList<OptionField> Of(Type root) => Walk(root, Activator.CreateInstance(root), []).ToList();

    static IEnumerable<OptionField> Walk(Type type, object? defaults, PropertyInfo[] chain)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetCustomAttribute<NotAnOptionAttribute>() is not null) continue;
            PropertyInfo[] path = [.. chain, property];
            object? value = defaults is null ? null : property.GetValue(defaults);
            if (property.PropertyType.GetCustomAttribute<OptionGroupAttribute>() is not null)
            {
                foreach (var field in Walk(property.PropertyType, value ?? Activator.CreateInstance(property.PropertyType), path)) yield return field;
                continue;
            }
            var named = property.GetCustomAttribute<OptionNameAttribute>();
            string description = property.GetCustomAttribute<DescriptionAttribute>()?.Description
                ?? throw new InvalidOperationException($"{type.Name}.{property.Name} is an option without a [Description]: say what it does.");
            // By name: ScottPlot ships its own copy of RequiredMemberAttribute, so the type itself is ambiguous here.
            bool required = property.GetCustomAttributes().Any(a => a.GetType().FullName == "System.Runtime.CompilerServices.RequiredMemberAttribute");
            yield return new OptionField(named?.Name ?? OptionNames.Kebab(property.Name), named?.Aliases ?? [], path, description, required, required ? null : value);
        }
    }
}
