using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using LlmDistill.Traces;

namespace LlmDistill.Training.Data;

/// <summary>Which side of the train/evaluation split a trace belongs to.</summary>
internal enum TraceSplitSide
{
    Train,
    Evaluation,
}

/// <summary>
/// A deterministic held-out slice by question: a trace is on the evaluation side when the first 8 bytes of
/// SHA-256(<c>&lt;dataset&gt;/&lt;split&gt;/&lt;example_id&gt;</c>), read as a little-endian unsigned integer, mod 100 is below
/// the evaluation percentage. The sample index is not hashed, so every sample of a question lands on the same side,
/// and the side depends on nothing else (not the file, the row order, the seed or the machine).
/// </summary>
internal static class EvaluationSplit
{
    /// <summary>The question's bucket, 0..99.</summary>
    public static int Bucket(string dataset, string split, string exampleId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{dataset}/{split}/{exampleId}"), hash);
        return (int)(BinaryPrimitives.ReadUInt64LittleEndian(hash) % 100);
    }

    public static TraceSplitSide SideOf(TraceRecord record, int evaluationPercent)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentOutOfRangeException.ThrowIfNegative(evaluationPercent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(evaluationPercent, 100);
        return evaluationPercent > 0 && Bucket(record.Dataset, record.Split, record.ExampleId) < evaluationPercent
            ? TraceSplitSide.Evaluation : TraceSplitSide.Train;
    }
}
