using System.Text;
using System.Text.RegularExpressions;

namespace LlmDistill.Demo.Arithmetic;

/// <summary>
/// The task's sentences: a template per wording and event kind, with placeholders <c>{name}</c>, <c>{they}</c>
/// (She/He), <c>{items}</c> (apples), <c>{boxes}</c> (bags) and the numbers <c>{n1}</c>, <c>{n2}</c>. The same
/// templates render questions and parse them back, so <see cref="ArithmeticTask.Verify"/> recomputes a rationale
/// from the question's text alone. Wording 0 of each kind is the one the calibration's word form uses.
/// </summary>
internal static class Phrasebook
{
    public const int MaxPhrasings = 3;

    static readonly (string Name, string They)[] People =
    [
        ("Ann", "She"), ("Ben", "He"), ("Cara", "She"), ("Dev", "He"),
        ("Eva", "She"), ("Finn", "He"), ("Gia", "She"), ("Hugo", "He"),
    ];

    static readonly (string Items, string Boxes)[] Things =
    [
        ("apples", "bags"), ("pens", "boxes"), ("cards", "packs"), ("eggs", "cartons"),
        ("stickers", "sheets"), ("marbles", "jars"), ("books", "crates"), ("shells", "buckets"),
    ];

    public static int MaxNames => People.Length;
    public static int MaxObjects => Things.Length;

    static readonly string[] StartTemplates = ["{name} has {n1} {items}.", "{name} starts with {n1} {items}.", "{name} owns {n1} {items}."];
    static readonly string[] QuestionTemplates = ["How many {items} now?", "How many {items} does {name} have now?", "How many {items} are there in the end?"];

    static readonly Dictionary<ProblemEventKind, string[]> EventTemplates = new()
    {
        [ProblemEventKind.BuyGroups] = ["{they} buys {n1} {boxes} of {n2} {items}.", "{they} gets {n1} {boxes} of {n2}.", "{they} adds {n1} {boxes} with {n2} each."],
        [ProblemEventKind.SellGroups] = ["{they} sells {n1} {boxes} of {n2} {items}.", "{they} ships {n1} {boxes} of {n2}.", "{they} gives away {n1} {boxes} with {n2} each."],
        [ProblemEventKind.Receive] = ["{they} finds {n1} more.", "{they} gets {n1} more.", "{they} is given {n1} more."],
        [ProblemEventKind.GiveAway] = ["{they} gives away {n1}.", "{they} loses {n1}.", "{they} uses {n1}."],
        [ProblemEventKind.Multiply] = ["{they} ends up with {n1} times as many.", "{they} makes it {n1} times as many.", "{they} multiplies them by {n1}."],
        [ProblemEventKind.Share] = ["{they} splits them into {n1} equal piles and keeps one.", "{they} keeps one of {n1} equal shares.", "{they} divides them into {n1} equal groups and keeps one."],
    };

    /// <summary>Who and what a problem is about; indices into the name and object lists.</summary>
    public readonly record struct Cast(int Person, int Thing);

    /// <summary>The question's text: the start, one sentence per event, the question; sentences joined by a space.</summary>
    public static string Render(Cast cast, int start, IReadOnlyList<ProblemEvent> events, IReadOnlyList<int> wordings)
    {
        var text = new StringBuilder();
        text.Append(Fill(StartTemplates[wordings[0]], cast, start, 0));
        for (int i = 0; i < events.Count; i++)
            text.Append(' ').Append(Fill(EventTemplates[events[i].Kind][wordings[i + 1]], cast, events[i].First, events[i].Second));
        text.Append(' ').Append(Fill(QuestionTemplates[wordings[^1]], cast, 0, 0));
        return text.ToString();
    }

    static string Fill(string template, Cast cast, int n1, int n2) => template
        .Replace("{name}", People[cast.Person].Name)
        .Replace("{they}", People[cast.Person].They)
        .Replace("{items}", Things[cast.Thing].Items)
        .Replace("{boxes}", Things[cast.Thing].Boxes)
        .Replace("{n1}", n1.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("{n2}", n2.ToString(System.Globalization.CultureInfo.InvariantCulture));

    static readonly Regex[] StartPatterns = StartTemplates.Select(Compile).ToArray();
    static readonly Regex[] QuestionPatterns = QuestionTemplates.Select(Compile).ToArray();
    static readonly (ProblemEventKind Kind, Regex Pattern)[] EventPatterns =
        EventTemplates.SelectMany(e => e.Value.Select(t => (e.Key, Compile(t)))).ToArray();

    /// <summary>A whole-sentence regex: literal text escaped, words for names/objects, digits for numbers.</summary>
    static Regex Compile(string template)
    {
        var pattern = new StringBuilder("^");
        int at = 0;
        foreach (Match slot in Regex.Matches(template, @"\{(\w+)\}"))
        {
            pattern.Append(Regex.Escape(template[at..slot.Index]));
            pattern.Append(slot.Groups[1].Value switch
            {
                "n1" => @"(?<n1>\d+)",
                "n2" => @"(?<n2>\d+)",
                "they" => "(?:She|He)",
                _ => "[A-Za-z]+",
            });
            at = slot.Index + slot.Length;
        }
        pattern.Append(Regex.Escape(template[at..])).Append('$');
        return new Regex(pattern.ToString(), RegexOptions.CultureInvariant);
    }

    /// <summary>
    /// Reads a question written in any of the task's wordings back into its start and events; null (with a reason)
    /// when a sentence is not one of the templates or a number does not fit in an int.
    /// </summary>
    public static (int Start, List<ProblemEvent> Events)? Parse(string question, out string? failure)
    {
        string[] sentences = Regex.Split(question.Trim(), @"(?<=[.?])\s+");
        failure = null;
        if (sentences.Length < 3)
        {
            failure = "a question has a start sentence, at least one event and the question";
            return null;
        }
        if (Number(FirstMatch(StartPatterns, sentences[0]), "n1") is not { } start)
        {
            failure = $"not a start sentence: '{sentences[0]}'";
            return null;
        }
        if (FirstMatch(QuestionPatterns, sentences[^1]) is null)
        {
            failure = $"not a question sentence: '{sentences[^1]}'";
            return null;
        }
        var events = new List<ProblemEvent>(sentences.Length - 2);
        foreach (string sentence in sentences[1..^1])
        {
            var (kind, match) = EventPatterns.Select(p => (p.Kind, Match: p.Pattern.Match(sentence))).FirstOrDefault(p => p.Match.Success);
            if (match is null || Number(match, "n1") is not { } first)
            {
                failure = $"not an event sentence: '{sentence}'";
                return null;
            }
            if ((kind.IsGroup() ? Number(match, "n2") : 0) is not { } second)
            {
                failure = $"a number in '{sentence}' is too large";
                return null;
            }
            events.Add(new ProblemEvent(kind, first, second));
        }
        return (start, events);
    }

    static Match? FirstMatch(Regex[] patterns, string sentence) =>
        patterns.Select(p => p.Match(sentence)).FirstOrDefault(m => m.Success);

    static int? Number(Match? match, string group) =>
        match is not null && int.TryParse(match.Groups[group].ValueSpan, System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out int value) ? value : null;
}
