using LlmDistill.Options;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LlmDistill.Pipeline;

/// <summary>
/// One section of a pipeline file read into a settings record with the same option names as the CLI (YAML keys in
/// snake case: <c>top_p</c> for <c>--top-p</c>). Unknown keys and unreadable values are refused naming file, line and key;
/// relative paths are read against the pipeline file's folder.
/// </summary>
public sealed class PipelineYaml(string file)
{
    readonly string _folder = Path.GetDirectoryName(file)!;
    // Where each key was written, by section and property path, so a value that fails validation later is placed too.
    readonly Dictionary<(string Section, string Path), Mark> _marks = [];

    public string File { get; } = file;

    /// <summary>The YAML keys a section of settings type <paramref name="settings"/> accepts.</summary>
    public static IEnumerable<string> Keys(Type settings) => OptionField.Of(settings).Select(f => OptionNames.YamlKey(f.Name));

    /// <summary>
    /// Binds <paramref name="section"/> (null = absent: every default) into <typeparamref name="T"/>. <paramref name="preset"/>
    /// are values the pipeline sets itself (by option name); a key among <paramref name="reserved"/> is refused, since
    /// the pipeline decides it.
    /// </summary>
    public T Read<T>(string name, YamlMappingNode? section, IReadOnlyDictionary<string, string[]> preset, IReadOnlyCollection<string> reserved)
    {
        var fields = OptionField.Of(typeof(T)).ToDictionary(f => OptionNames.YamlKey(f.Name));
        var given = new Dictionary<string, (OptionField Field, IReadOnlyList<string> Texts)>();
        var lines = new Dictionary<string, Mark>();
        foreach (var (optionName, texts) in preset)
        {
            var field = fields[OptionNames.YamlKey(optionName)];
            given[field.Path] = (field, texts);
        }
        foreach (var (keyNode, valueNode) in section?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            string key = ((YamlScalarNode)keyNode).Value ?? "";
            if (!fields.TryGetValue(key, out var field))
                throw Error(keyNode.Start, $"'{name}' has no key '{key}' (known: {string.Join(", ", fields.Keys.Where(k => !reserved.Contains(k)))})");
            if (reserved.Contains(key)) throw Error(keyNode.Start, $"'{name}.{key}' is set by the pipeline itself and cannot be given here");
            string[] texts = valueNode switch
            {
                YamlScalarNode scalar => [scalar.Value ?? ""],
                YamlSequenceNode list when field.IsList => list.Children.Select(c => c is YamlScalarNode s ? s.Value ?? "" : throw Error(c.Start, $"'{name}.{key}' lists plain values only")).ToArray(),
                _ => throw Error(valueNode.Start, $"'{name}.{key}' must be a single value"),
            };
            given[field.Path] = (field, texts.Select(t => field.Resolve(t, _folder)).ToArray());
            lines[field.Path] = keyNode.Start;
            _marks[(name, field.Path)] = keyNode.Start;
        }
        try
        {
            return OptionBinder.Bind<T>(given.Values);
        }
        catch (OptionsException e)
        {
            var first = e.Errors[0];
            throw Error(lines.GetValueOrDefault(first.Property, Mark.Empty), first.Render(path => $"'{name}.{KeyOf(path, typeof(T))}'"));
        }
    }

    /// <summary>
    /// Refuses settings whose values are invalid, naming the keys. Files are checked when the pipeline runs (an earlier
    /// stage may make them), so errors about path options, and about <paramref name="ignored"/> properties, wait till then.
    /// </summary>
    public void Validate<T>(string name, T settings, params string[] ignored) where T : IValidatedOptions
    {
        var fields = OptionField.Of(typeof(T));
        var errors = settings.Validate().Where(e => !ignored.Contains(e.Property) && OptionField.At(fields, e.Property)?.PathKind is null).ToList();
        if (errors.Count > 0)
            throw Error(_marks.GetValueOrDefault((name, errors[0].Property), Mark.Empty),
                string.Join("; ", errors.Select(e => e.Render(path => $"'{name}.{KeyOf(path, typeof(T))}'"))));
    }

    static string KeyOf(string path, Type settings) => OptionNames.YamlKey(OptionField.NameOf(OptionField.Of(settings), path));

    InvalidDataException Error(Mark at, string message) =>
        new(at.Line > 0 ? $"{File}, line {at.Line}, column {at.Column}: {message}." : $"{File}: {message}.");
}
