using System.Runtime.InteropServices;
using LlmDistill.Models;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>
/// Moves a student's parameters to and from <see cref="TensorDataSource"/>s, tensor by tensor in the order of
/// <see cref="ModelTensors.For"/>. A parameter of torch shape [out, in] and its GGUF tensor of ggml shape [in, out]
/// hold the same row-major floats, so every copy is a plain copy (no transpose, no q/k permutation).
/// </summary>
internal static class StudentWeights
{
    /// <summary>
    /// A source reading the model's parameters, one float copy per tensor when the writer asks for it; a weight that
    /// carries a LoRA adapter is read merged (W + α/r · B·A).
    /// </summary>
    public static TensorDataSource Source(StudentModel model)
    {
        var parameters = model.GgufParameters();
        var adapted = model.Projections().Where(p => p.Projection.HasLora).ToDictionary(p => p.Name, p => p.Projection);
        return tensor =>
        {
            var parameter = Find(parameters, tensor);
            using var scope = NewDisposeScope();
            var values = adapted.TryGetValue(tensor.Name, out var projection) ? projection.MergedWeight() : parameter.detach();
            return values.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        };
    }

    /// <summary>Overwrites every parameter of <paramref name="model"/> with the data <paramref name="source"/> gives.</summary>
    public static void Load(StudentModel model, TensorDataSource source)
    {
        var parameters = model.GgufParameters();
        using var _ = no_grad();
        foreach (var entry in ModelTensors.For(model.Config))
        {
            var parameter = Find(parameters, entry);
            var data = source(entry);
            if (data.Length != entry.ElementCount)
                throw new InvalidDataException($"Tensor {entry.Name} has {data.Length} values; the student expects {entry.ElementCount} ({string.Join(" × ", entry.Shape)}).");
            // Dequantized tensors arrive as whole arrays: wrap them instead of copying (token_embd can be 136M floats).
            float[] array = MemoryMarshal.TryGetArray(data, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : data.ToArray();
            using var values = tensor(array, parameter.shape);
            parameter.copy_(values);
        }
    }

    static TorchSharp.Modules.Parameter Find(IReadOnlyDictionary<string, TorchSharp.Modules.Parameter> parameters, ModelTensor tensor)
    {
        if (!parameters.TryGetValue(tensor.Name, out var parameter))
            throw new InvalidOperationException($"The student has no parameter for GGUF tensor {tensor.Name}; its parameters are {string.Join(", ", parameters.Keys)}.");
        long[] ggmlShape = parameter.shape.Reverse().ToArray();
        if (!ggmlShape.SequenceEqual(tensor.Shape))
            throw new InvalidOperationException($"Parameter {tensor.Name} has ggml shape [{string.Join(", ", ggmlShape)}] but the GGUF table says [{string.Join(", ", tensor.Shape)}].");
        return parameter;
    }
}
