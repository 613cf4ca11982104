namespace LlmDistill.Options;

/// <summary>
/// Settings that cannot run. <see cref="Errors"/> name properties of <see cref="Settings"/>; front ends translate
/// them into their own names (the CLI into flags, <c>pipeline.yaml</c> into keys).
/// </summary>
public sealed class OptionsException(Type settings, IReadOnlyList<OptionError> errors)
    : ArgumentException($"{string.Join("; ", errors.Select(e => e.Render(path => $"{settings.Name}.{path}")))}.")
{
    public Type Settings { get; } = settings;
    public IReadOnlyList<OptionError> Errors { get; } = errors;

    /// <summary>Throws when <paramref name="settings"/> reports any error; returns it otherwise, for chaining.</summary>
    public static T ThrowIfInvalid<T>(T settings) where T : IValidatedOptions
    {
        var errors = settings.Validate().ToList();
        return errors.Count == 0 ? settings : throw new OptionsException(typeof(T), errors);
    }

    /// <summary>One error of <typeparamref name="T"/>'s <paramref name="property"/>, for checks that need the run's state (files, folders).</summary>
    public static OptionsException For<T>(string property, string problem) => new(typeof(T), [new OptionError(property, problem)]);
}
