using System.CommandLine;
using LlmDistill.Options;

namespace LlmDistill.Cli;

/// <summary>
/// The options of a command, made from a settings record's properties (<see cref="OptionField"/>): names, help text,
/// defaults and required-ness all come from the record, so adding a property adds the option.
/// </summary>
sealed class CommandOptions<T>
{
    readonly List<(OptionField Field, Option Option)> _options = [];

    public CommandOptions(Command command)
    {
        foreach (var field in OptionField.Of(typeof(T)))
        {
            Option option = field.IsFlag ? new Option<bool>(OptionNames.Flag(field.Name), [.. field.Aliases])
                : field.IsList ? new Option<string[]>(OptionNames.Flag(field.Name), [.. field.Aliases]) { AllowMultipleArgumentsPerToken = false }
                : new Option<string>(OptionNames.Flag(field.Name), [.. field.Aliases]);
            option.Description = field.Help;
            option.Required = field.Required;
            command.Options.Add(option);
            _options.Add((field, option));
        }
    }

    /// <summary>The settings the command line gives: options not given keep the record's defaults; paths become absolute.</summary>
    public T Bind(ParseResult parsed)
    {
        var given = new List<(OptionField, IReadOnlyList<string>)>();
        foreach (var (field, option) in _options)
        {
            if (parsed.GetResult(option) is not { Implicit: false }) continue;
            IReadOnlyList<string> texts = option switch
            {
                Option<bool> flag => [parsed.GetValue(flag) ? "true" : "false"],
                Option<string[]> list => parsed.GetValue(list) ?? [],
                Option<string> single => [parsed.GetValue(single) ?? ""],
                _ => throw new InvalidOperationException($"unexpected option type for {field.Name}"),
            };
            given.Add((field, texts.Select(t => field.Resolve(t, Environment.CurrentDirectory)).ToArray()));
        }
        return OptionBinder.Bind<T>(given);
    }
}
