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
}
