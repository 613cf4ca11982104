using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmDistill.Training;

/// <summary>Where TorchSharp trains: the CPU, or a CUDA GPU by index. Written <c>cpu</c>, <c>cuda</c> or <c>cuda:1</c>.</summary>
[JsonConverter(typeof(ComputeDeviceJson))]
public sealed record ComputeDevice
{
    ComputeDevice(bool cuda, int index) => (IsCuda, Index) = (cuda, index);

    public static ComputeDevice Cpu { get; } = new(false, 0);
    public static ComputeDevice Cuda(int index = 0) => new(true, index >= 0 ? index : throw new ArgumentOutOfRangeException(nameof(index), index, "a GPU index is non-negative"));

    public bool IsCuda { get; }
    /// <summary>The GPU's index; 0 for the CPU.</summary>
    public int Index { get; }

    public static ComputeDevice Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return Cuda();
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t[5..], NumberStyles.None, CultureInfo.InvariantCulture, out int index)) return Cuda(index);
        throw new FormatException($"'{text}' is not a device: use cpu or cuda (cuda:N for another GPU)");
    }

    public override string ToString() => !IsCuda ? "cpu" : Index == 0 ? "cuda" : $"cuda:{Index}";

    /// <summary>A device is stored in checkpoints as its text, as before it had a type.</summary>
    sealed class ComputeDeviceJson : JsonConverter<ComputeDevice>
    {
        public override ComputeDevice Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Parse(reader.GetString() ?? throw new JsonException("device is null"));

        public override void Write(Utf8JsonWriter writer, ComputeDevice value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
