using System.Reflection;

namespace LlmDistill.Options;

/// <summary>
/// Builds a settings record from option texts (a command line's or a YAML section's): every option not given keeps
/// the record's own default, so defaults live only in the records. Nested groups are copied, never shared.
/// </summary>
public static class OptionBinder
{
    /// <summary>
    /// <typeparamref name="T"/> with each given field parsed from its texts (one text, or several for a list option).
    /// Values that do not parse are all reported together, naming the property; nothing is validated beyond parsing.
    /// </summary>
    public static T Bind<T>(IEnumerable<(OptionField Field, IReadOnlyList<string> Texts)> given)
    {
        // Activator, not new(): a record with `required` members cannot meet the new() constraint; they are set here or checked later.
        object root = Activator.CreateInstance<T>()!;
        var errors = new List<OptionError>();
        foreach (var (field, texts) in given)
        {
            object? value;
            try
            {
                value = field.IsList ? texts.ToArray() : OptionValues.Parse(texts.Count == 0 && field.IsFlag ? "true" : texts[^1], field.Type);
            }
            catch (FormatException e)
            {
                errors.Add(new OptionError(field.Path, $"cannot be '{string.Join(" ", texts)}': {e.Message}"));
                continue;
            }
            Set(root, field.Chain, 0, value);
        }
        return errors.Count == 0 ? (T)root : throw new OptionsException(typeof(T), errors);
    }

    /// <summary>Sets the property at the end of <paramref name="chain"/>, replacing each group on the way by a copy.</summary>
    static void Set(object target, IReadOnlyList<PropertyInfo> chain, int index, object? value)
    {
        var property = chain[index];
        if (index == chain.Count - 1)
        {
            property.SetValue(target, value);
            return;
        }
        object group = Copy(property.GetValue(target)) ?? Activator.CreateInstance(property.PropertyType)!;
        Set(group, chain, index + 1, value);
        property.SetValue(target, group);
    }

    /// <summary>A record's shallow copy (what <c>with { }</c> does), so a default instance is never changed in place.</summary>
    static object? Copy(object? record) =>
        record?.GetType().GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance)?.Invoke(record, null) ?? record;
}
