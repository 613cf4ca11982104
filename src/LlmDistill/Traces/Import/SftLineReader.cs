using System.Text.Json;
using LlmDistill.Traces.Export;
using static LlmDistill.Traces.Export.ConversationJson;

namespace LlmDistill.Traces.Import;

/// <summary>
/// Reads one single-turn conversation (optional system, one user, one assistant message) from a line of chat-jsonl,
/// ShareGPT or Alpaca, with the field names <see cref="ConversationJson"/> writes. A malformed line throws
/// <see cref="InvalidDataException"/> naming the file, the line and the field.
/// </summary>
public static class SftLineReader
{
    public static ChatTurns Read(string line, TraceExportFormat format, string file, long lineNumber)
    {
        string where = $"{file}:{lineNumber}";
        JsonDocument document;
        try { document = JsonDocument.Parse(line); }
        catch (JsonException e) { throw new InvalidDataException($"{where}: not a JSON object ({e.Message})", e); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: not a JSON object");
            return format switch
            {
                TraceExportFormat.ChatJsonl => Turns(root, MessagesField, RoleField, ContentField, "system", ["user"], ["assistant"], where),
                TraceExportFormat.Sharegpt => Turns(root, ConversationsField, FromField, ValueField, ShareGptSystem, [ShareGptHuman, "user"], [ShareGptAssistant, "assistant"], where),
                TraceExportFormat.Alpaca => Alpaca(root, where),
                _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a conversation format"),
            };
        }
    }

    static ChatTurns Turns(JsonElement root, string listField, string roleField, string textField, string systemRole,
        string[] userRoles, string[] assistantRoles, string where)
    {
        if (!root.TryGetProperty(listField, out var list) || list.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where}: '{listField}' is missing or not an array");
        string? system = null, user = null, assistant = null;
        int index = 0;
        foreach (var turn in list.EnumerateArray())
        {
            string role = Text(turn, roleField, $"{where}: {listField}[{index}]");
            string text = Text(turn, textField, $"{where}: {listField}[{index}]");
            if (role == systemRole && system is null && user is null) system = text;
            else if (userRoles.Contains(role) && user is null) user = text;
            else if (assistantRoles.Contains(role) && user is not null && assistant is null) assistant = text;
            else throw new InvalidDataException($"{where}: {listField}[{index}].{roleField} '{role}' breaks the single-turn shape (optional {systemRole}, then {userRoles[0]}, then {assistantRoles[0]}); multi-turn conversations are not imported");
            index++;
        }
        if (user is null || assistant is null)
            throw new InvalidDataException($"{where}: '{listField}' needs a {userRoles[0]} and an {assistantRoles[0]} turn");
        return new ChatTurns(system, user, assistant);
    }

    static ChatTurns Alpaca(JsonElement root, string where)
    {
        string instruction = Text(root, InstructionField, where);
        string input = Optional(root, InputField, where) ?? "";
        string output = Text(root, OutputField, where);
        string? system = Optional(root, SystemField, where);
        // The usual Alpaca prompt puts the input after the instruction; a blank line keeps them apart.
        string user = input.Length == 0 ? instruction : instruction + ChatTurns.SystemSeparator + input;
        return new ChatTurns(string.IsNullOrEmpty(system) ? null : system, user, output);
    }

    static string Text(JsonElement element, string field, string where) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidDataException($"{where}: '{field}' is missing or not a string");

    static string? Optional(JsonElement element, string field, string where) =>
        !element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new InvalidDataException($"{where}: '{field}' is not a string");
}
