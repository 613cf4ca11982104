using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmDistill.Cli;

/// <summary>JSON output settings shared by every command: snake_case names, indented, unescaped Unicode.</summary>
static class CliJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The same on one line (a quoted token piece in a table cell).</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };
}
