using System.Text.Json;

namespace LlmDistill.Traces.Export;

/// <summary>
/// The conversation of one trace in the JSON shapes supervised fine-tuning tools read (field names in
/// docs/trace-export.md); the same names are what <see cref="Import.SftLineReader"/> reads back.
/// </summary>
public static class ConversationJson
{
    public const string MessagesField = "messages", RoleField = "role", ContentField = "content";
    public const string ConversationsField = "conversations", FromField = "from", ValueField = "value";
    public const string ShareGptSystem = "system", ShareGptHuman = "human", ShareGptAssistant = "gpt";
    public const string InstructionField = "instruction", InputField = "input", OutputField = "output", SystemField = "system";

    /// <summary>Writes the fields of one line (inside an object the caller opened).</summary>
    public static void WriteFields(Utf8JsonWriter json, TraceExportFormat format, ChatTurns turns)
    {
        switch (format)
        {
            case TraceExportFormat.ChatJsonl or TraceExportFormat.KdTopk:
                WriteMessages(json, turns);
                break;
            case TraceExportFormat.Sharegpt:
                json.WriteStartArray(ConversationsField);
                if (turns.System is { } system) Turn(json, FromField, ShareGptSystem, ValueField, system);
                Turn(json, FromField, ShareGptHuman, ValueField, turns.User);
                Turn(json, FromField, ShareGptAssistant, ValueField, turns.Assistant);
                json.WriteEndArray();
                break;
            case TraceExportFormat.Alpaca:
                // The whole user message is the instruction; "input" stays empty so import can join them back exactly.
                json.WriteString(InstructionField, turns.User);
                json.WriteString(InputField, "");
                json.WriteString(OutputField, turns.Assistant);
                if (turns.System is { } alpacaSystem) json.WriteString(SystemField, alpacaSystem);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "not a conversation format");
        }
    }

    static void WriteMessages(Utf8JsonWriter json, ChatTurns turns)
    {
        json.WriteStartArray(MessagesField);
        if (turns.System is { } system) Turn(json, RoleField, "system", ContentField, system);
        Turn(json, RoleField, "user", ContentField, turns.User);
        Turn(json, RoleField, "assistant", ContentField, turns.Assistant);
        json.WriteEndArray();
    }

    static void Turn(Utf8JsonWriter json, string who, string role, string what, string text)
    {
        json.WriteStartObject();
        json.WriteString(who, role);
        json.WriteString(what, text);
        json.WriteEndObject();
    }
}
