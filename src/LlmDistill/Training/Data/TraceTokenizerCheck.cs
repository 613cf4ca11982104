using LlmDistill.Tokenization;
using LlmDistill.Traces;

namespace LlmDistill.Training.Data;

/// <summary>
/// Refuses traces written with another tokenizer than the student's: token ids only mean the same tokens when the
/// vocabularies are identical. Reads each part file's provenance (metadata only, no rows).
/// </summary>
internal static class TraceTokenizerCheck
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming the first part file whose tokenizer fingerprint differs.</summary>
    public static void Ensure(string tracesFolder, TokenizerVocabulary studentVocabulary)
    {
        ArgumentNullException.ThrowIfNull(studentVocabulary);
        string student = TokenizerFingerprint.Compute(studentVocabulary);
        foreach (string file in TracePartFiles.List(tracesFolder))
        {
            string teacher = TraceReader.ReadProvenance(file).TokenizerFingerprint;
            if (!string.Equals(teacher, student, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException(
                    $"traces in {file} were written with tokenizer {Short(teacher)}, the student's tokenizer is {Short(student)}; train a student with the teacher's vocabulary");
        }
    }

    static string Short(string fingerprint) => fingerprint.Length > 16 ? fingerprint[..16] + "…" : fingerprint;
}
