using LlmDistill.Generation.Prompts;
using LlmDistill.Teacher;

namespace LlmDistill.Generation;

/// <summary>
/// A question as the teacher sees it: the prompt template renders (system, user) text, the teacher's chat template
/// wraps it (unless raw), and llama.cpp's tokenizer turns it into ids.
/// </summary>
internal sealed class TeacherPrompts(GgufModel teacher, PromptTemplate template, bool raw)
{
    public PromptTemplate Template { get; } = template;

    public (string Text, int[] Tokens) Build(string question)
    {
        var rendered = Template.Render(question);
        string text = teacher.RenderPrompt(rendered.User, rendered.System, raw);
        return (text, teacher.Tokenize(text));
    }

    /// <summary>
    /// The tokens every question's prompt starts with (system text, few-shot examples, chat-template header): the
    /// common token prefix of two unrelated probe questions, less one token in case a real question's first word
    /// merges with the boundary. Requests that do not start with it are decoded whole, so a wrong guess costs time only.
    /// </summary>
    public int[] SharedPrefix()
    {
        int[] a = Build("What is 12 plus 30?").Tokens, b = Build("Name three colours of the rainbow.").Tokens;
        int common = 0;
        while (common < a.Length && common < b.Length && a[common] == b[common]) common++;
        return a[..Math.Max(0, common - 1)];
    }
}
