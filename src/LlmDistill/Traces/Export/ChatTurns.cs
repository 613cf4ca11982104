using LlmDistill.Generation.Prompts;

namespace LlmDistill.Traces.Export;

/// <summary>
/// One trace as a conversation: an optional system message, the user message, and the teacher's completion as the
/// assistant message (verbatim, so an export → import → export round trip is exact).
/// </summary>
public sealed record ChatTurns(string? System, string User, string Assistant)
{
    /// <summary>
    /// The messages of a trace. With the prompt template the traces were made with, system and user are rendered
    /// from the question, as the teacher saw them inside its chat template. Without it, a prompt of the form
    /// <c>system + "\n\n" + question</c> (what `traces import` and the gold traces write) gives back that system text;
    /// any other prompt (a chat template's markup, few-shot examples) cannot be split reliably, so the user message is
    /// the question alone.
    /// </summary>
    public static ChatTurns From(TraceRecord row, PromptTemplate? template)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (template is not null)
        {
            var rendered = template.Render(row.Question);
            return new(NullIfEmpty(rendered.System), rendered.User, row.CompletionText);
        }
        return new(SystemBeforeQuestion(row.PromptText, row.Question), row.Question, row.CompletionText);
    }

    /// <summary>The prompt text `traces import` stores for these messages: <c>system + "\n\n" + user</c>, or the user alone.</summary>
    public string PromptText => System is null ? User : System + SystemSeparator + User;

    public const string SystemSeparator = "\n\n";

    static string? SystemBeforeQuestion(string prompt, string question) =>
        prompt.Length > question.Length + SystemSeparator.Length
        && prompt.EndsWith(SystemSeparator + question, StringComparison.Ordinal)
            ? prompt[..^(question.Length + SystemSeparator.Length)]
            : null;

    static string? NullIfEmpty(string text) => string.IsNullOrEmpty(text) ? null : text;
}
