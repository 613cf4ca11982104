using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LlmDistill.Training.Losses;

namespace LlmDistill.Training;

/// <summary>
/// <see cref="TrainerOptions"/> as snake_case JSON for checkpoints and run folders; doubles round-trip exactly.
/// A divergence is written as <c>{"kind": "jsd", "beta": 0.5}</c>.
/// </summary>
internal static class TrainingOptionsJson
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new DivergenceConverter() },
    };

    public static JsonNode ToNode(TrainerOptions options) => JsonSerializer.SerializeToNode(options, Json)!;

    public static TrainerOptions FromNode(JsonNode node) =>
        node.Deserialize<TrainerOptions>(Json) ?? throw new InvalidDataException("trainer options are null");

    sealed class DivergenceConverter : JsonConverter<Divergence>
    {
        public override Divergence Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var node = JsonNode.Parse(ref reader)?.AsObject() ?? throw new JsonException("divergence is null");
            return node["kind"]?.GetValue<string>() switch
            {
                "forward" => new Divergence.Forward(),
                "reverse" => new Divergence.Reverse(),
                "jsd" => new Divergence.Jsd(node["beta"]?.GetValue<double>() ?? throw new JsonException("jsd needs a beta")),
                var kind => throw new JsonException($"unknown divergence '{kind}'"),
            };
        }

        public override void Write(Utf8JsonWriter writer, Divergence value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            switch (value)
            {
                case Divergence.Forward: writer.WriteString("kind", "forward"); break;
                case Divergence.Reverse: writer.WriteString("kind", "reverse"); break;
                case Divergence.Jsd jsd: writer.WriteString("kind", "jsd"); writer.WriteNumber("beta", jsd.Beta); break;
                default: throw new JsonException($"unknown divergence {value}");
            }
            writer.WriteEndObject();
        }
    }
}
