using LlmDistill.Native;
using LlmDistill.Teacher;

namespace LlmDistill.Serving;

/// <summary>Chat messages to the token ids a model reads, the same way for the .NET client and the HTTP server.</summary>
public static class ChatPrompt
{
    /// <summary>
    /// The model's own chat template (assistant turn opened), or ChatML when the GGUF carries none (as llama.cpp's server
    /// does); tokenized like generate's prompts (special tokens added and parsed).
    /// </summary>
    public static int[] Tokens(GgufModel model, IEnumerable<(string Role, string Content)> messages)
    {
        var turns = messages.Select(m => new LlamaChatTurn(m.Role, m.Content)).ToList();
        if (turns.Count == 0) throw new ArgumentException("a chat request needs at least one message");
        string template = model.Model.GetChatTemplate() ?? "chatml";
        return model.Tokenize(LlamaChatTemplate.Apply(template, turns, addAssistant: true));
    }

    /// <summary>A plain completion prompt: the text as it is (special-token text parsed, BOS added when the model wants it).</summary>
    public static int[] Tokens(GgufModel model, string prompt) =>
        prompt.Length == 0 ? throw new ArgumentException("the prompt is empty") : model.Tokenize(prompt);
}
