using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using LlmDistill.Generation.Prompts;

namespace LlmDistill.Traces.Export;

/// <summary>
/// One JSON object per line, UTF-8 without escaping non-ASCII text. A line is built in a reused buffer and then
/// copied to the stream, so memory holds one line whatever the number of rows.
/// </summary>
sealed class JsonLinesSink : ITraceExportSink
{
    public const string InputIdsField = "input_ids", LabelsField = "labels", LogprobsField = "logprobs", TargetTokenIdsField = "target_token_ids";
    /// <summary>The label of a token the loss ignores (PyTorch cross_entropy's ignore_index, Hugging Face's convention).</summary>
    public const int IgnoredLabel = -100;

    static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly Stream _stream;
    readonly TraceExportSettings _settings;
    readonly PromptTemplate? _template;
    readonly ArrayBufferWriter<byte> _line = new(1 << 16);
    readonly Utf8JsonWriter _json;

    public JsonLinesSink(Stream stream, TraceExportSettings settings, PromptTemplate? template)
    {
        _stream = stream;
        _settings = settings;
        _template = template;
        _json = new Utf8JsonWriter(_line, Options);
    }

    public async Task<bool> WriteAsync(TraceRecord row, CancellationToken cancellationToken)
    {
        int k = Math.Min(row.TopK, _settings.IncludeLogprobs ?? (_settings.Format == TraceExportFormat.KdTopk ? row.TopK : 0));
        if (row.CompletionTokenCount == 0 || (_settings.Format == TraceExportFormat.KdTopk && k == 0)) return false;

        _line.ResetWrittenCount();
        _json.Reset(_line);
        _json.WriteStartObject();
        var turns = ChatTurns.From(row, _template);
        ConversationJson.WriteFields(_json, _settings.Format, turns);
        if (_settings.Format == TraceExportFormat.KdTopk) WriteKd(row, k);
        else if (k > 0) TopKJson.WriteOpenAi(_json, LogprobsField, row, k);
        _json.WriteEndObject();
        _json.Flush();
        _line.Write("\n"u8);
        await _stream.WriteAsync(_line.WrittenMemory, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// The whole token sequence and its loss mask (prompt labels −100), then the top-k of each completion token in
    /// the form the settings ask for (<see cref="KdLogprobForm"/>).
    /// </summary>
    void WriteKd(TraceRecord row, int k)
    {
        _json.WriteStartArray(InputIdsField);
        foreach (int id in row.PromptTokenIds) _json.WriteNumberValue(id);
        foreach (int id in row.CompletionTokenIds) _json.WriteNumberValue(id);
        _json.WriteEndArray();
        _json.WriteStartArray(LabelsField);
        for (int i = 0; i < row.PromptTokenIds.Length; i++) _json.WriteNumberValue(IgnoredLabel);
        foreach (int id in row.CompletionTokenIds) _json.WriteNumberValue(id);
        _json.WriteEndArray();
        if (_settings.KdLogprobs == KdLogprobForm.Openai)
        {
            TopKJson.WriteOpenAi(_json, LogprobsField, row, k);
            return;
        }
        TopKJson.WriteIds(_json, TargetTokenIdsField, row, k);
        TopKJson.WriteLogprobs(_json, LogprobsField, row, k);
    }

    public Task CompleteAsync(CancellationToken cancellationToken) => _stream.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => _json.DisposeAsync();
}
