using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace LlmDistill.Pipeline;

/// <summary>Checks on YAML text before YamlDotNet sees it.</summary>
internal static class YamlText
{
    /// <summary>
    /// Where the first character YAML does not allow is (C0 controls other than tab, line feed and carriage return, and
    /// DEL: YAML 1.2 §5.1), as a sentence ("line 3, column 7: control character U+0001"), or null. YamlDotNet 18.1.0
    /// hangs on some of them (found by fuzzing: a comment holding U+0000 U+0000 U+0001 U+0000, 21 bytes in all).
    /// </summary>
    public static string? FindForbiddenCharacter(string text)
    {
        int line = 1, column = 1;
        foreach (char c in text)
        {
            if (c is < '\u0020' and not ('\t' or '\n' or '\r') or '\u007f')
                return $"line {line}, column {column}: control character U+{(int)c:X4}, which YAML does not allow";
            if (c == '\n') { line++; column = 1; }
            else column++;
        }
        return null;
    }

    /// <summary>The most nodes a document may stand for once its aliases are expanded (a pipeline file has tens).</summary>
    public const long MaxExpandedNodes = 100_000;

    /// <summary>
    /// Where an alias makes the text unsafe to load, as a sentence, or null: an alias inside the node it names (a cycle;
    /// YamlDotNet 18's loader hashes a cyclic key for ever, a stack overflow found by fuzzing, 34 bytes), an alias
    /// before its anchor (another stack overflow), or aliases
    /// that expand past <see cref="MaxExpandedNodes"/> nodes (ten lines naming each other twice over stand for a
    /// billion nodes to whatever walks them). Reads parser events only; YamlDotNet's <see cref="YamlException"/> for
    /// malformed text passes to the caller, as from the loader.
    /// </summary>
    public static string? FindAliasProblem(string text)
    {
        var parser = new Parser(new StringReader(text));
        var expanded = new Dictionary<string, long>(StringComparer.Ordinal); // anchor → nodes of its node, expanded
        var open = new Stack<(string? Anchor, long Nodes)>();
        long total = 0;
        while (parser.MoveNext())
        {
            var e = parser.Current!;
            long nodes;
            switch (e)
            {
                case DocumentStart: expanded.Clear(); continue; // anchors belong to one document
                case SequenceStart or MappingStart:
                    var anchor = ((NodeEvent)e).Anchor;
                    open.Push((anchor.IsEmpty ? null : anchor.Value, 1));
                    continue;
                case SequenceEnd or MappingEnd:
                    var (name, count) = open.Pop();
                    if (name is not null) expanded[name] = count;
                    nodes = count;
                    break;
                case Scalar scalar:
                    if (!scalar.Anchor.IsEmpty) expanded[scalar.Anchor.Value] = 1;
                    nodes = 1;
                    break;
                case AnchorAlias alias:
                    if (open.Any(frame => frame.Anchor == alias.Value.Value))
                        return $"line {e.Start.Line}, column {e.Start.Column}: alias *{alias.Value.Value} is inside the node it names (a cycle)";
                    // YAML allows an alias only after its anchor; YamlDotNet 18 resolves later ones too, and for an alias
                    // key that never resolves compares it with itself for ever (a stack overflow, found by fuzzing).
                    if (!expanded.TryGetValue(alias.Value.Value, out nodes))
                        return $"line {e.Start.Line}, column {e.Start.Column}: alias *{alias.Value.Value} names no anchor before it";
                    break;
                default: continue;
            }
            // Counted into the node that holds it, or the document; either holds at least this node's count.
            long holder;
            if (open.TryPop(out var parent)) open.Push((parent.Anchor, holder = parent.Nodes + nodes));
            else holder = total += nodes;
            if (holder > MaxExpandedNodes)
                return $"line {e.Start.Line}, column {e.Start.Column}: aliases expand the document past {MaxExpandedNodes:N0} nodes";
        }
        return null;
    }
}
