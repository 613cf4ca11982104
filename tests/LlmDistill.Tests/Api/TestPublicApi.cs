using System.Reflection;
using System.Text;

namespace LlmDistill.Tests.Api;

/// <summary>
/// The public surface of each library assembly, one line per type and member, checked in under <c>api/</c>. A change
/// to the public API fails this test until the listing is regenerated (<c>LLMDISTILL_UPDATE_API=1 dotnet test
/// --filter TestPublicApi</c>), so every change shows up in review as a diff of that file.
/// </summary>
public class TestPublicApi
{
    public static TheoryData<string> Assemblies => new() { "LlmDistill.Core", "LlmDistill.Gguf", "LlmDistill.Demo" };

    [Theory, MemberData(nameof(Assemblies))]
    public void The_public_api_matches_its_checked_in_listing(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        string listing = Listing(assembly);
        string path = Generation.RepositoryFiles.Path($"api/{assemblyName}.txt");
        if (Environment.GetEnvironmentVariable("LLMDISTILL_UPDATE_API") == "1")
        {
            File.WriteAllText(path, listing);
            return;
        }
        Assert.True(File.Exists(path), $"{path} is missing: run with LLMDISTILL_UPDATE_API=1 to write it.");
        string expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected == listing) return;
        var added = listing.Split('\n').Except(expected.Split('\n')).Take(10);
        var removed = expected.Split('\n').Except(listing.Split('\n')).Take(10);
        Assert.Fail($"The public API of {assemblyName} changed; review, then run with LLMDISTILL_UPDATE_API=1.\nadded:\n  {string.Join("\n  ", added)}\nremoved:\n  {string.Join("\n  ", removed)}");
    }

    static string Listing(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(Kind(type)).Append(' ').Append(Name(type)).Append('\n');
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = type.GetMembers(flags)
                .Where(m => m is not MethodInfo { IsSpecialName: true } && m is not Type && !m.Name.StartsWith('<'))
                .Select(Member).Where(m => m is not null).Distinct().Order(StringComparer.Ordinal);
            foreach (string? member in members) text.Append("  ").Append(member).Append('\n');
        }
        return text.ToString();
    }

    static string Kind(Type t) => t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct"
        : t.GetMethod("<Clone>$") is not null ? "record" : t.IsAbstract && t.IsSealed ? "static class" : "class";

    static string? Member(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c)})",
        MethodInfo m => $"{(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}{(m.IsGenericMethod ? $"<{string.Join(", ", m.GetGenericArguments().Select(Name))}>" : "")}({Parameters(m)})",
        PropertyInfo p => $"{(p.GetMethod?.IsStatic == true ? "static " : "")}{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : "")}{(p.SetMethod?.IsPublic == true ? "set; " : "")}}}",
        FieldInfo f when f.DeclaringType!.IsEnum => f.IsStatic ? $"{f.Name} = {f.GetRawConstantValue()}" : null,
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        _ => null,
    };

    static string Parameters(MethodBase method) => string.Join(", ", method.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}"));

    static string Name(Type t)
    {
        if (t.IsByRef) return "ref " + Name(t.GetElementType()!);
        if (t.IsArray) return Name(t.GetElementType()!) + "[]";
        if (t.IsGenericParameter) return t.Name;
        string name = t.IsNested ? $"{Name(t.DeclaringType!)}.{t.Name}" : $"{t.Namespace}.{t.Name}";
        if (!t.IsGenericType) return name;
        int tick = name.IndexOf('`');
        return $"{(tick < 0 ? name : name[..tick])}<{string.Join(", ", t.GetGenericArguments().Select(Name))}>";
    }
}
