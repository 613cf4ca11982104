using LlmDistill.Tokenization;
using LlmDistill.Traces;

namespace LlmDistill.Training.Data;

/// <summary>
/// Refuses traces written with another tokenizer than the student's: token ids only mean the same tokens when the
/// vocabularies are identical. Reads each part file's provenance (metadata only, no rows).
/// </summary>
internal static class TraceTokenizerCheck
{
    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming the first part file whose tokenizer fingerprint differs. Given the
    /// student's architecture (GGUF name) and a file from a teacher of another one, the sentence says why that matters:
    /// a student may leave the teacher's family only with the teacher's vocabulary.
    /// </summary>
    public static void Ensure(string tracesFolder, TokenizerVocabulary studentVocabulary, string? studentArchitecture = null)
    {
        ArgumentNullException.ThrowIfNull(studentVocabulary);
        string expected = TokenizerFingerprint.Compute(studentVocabulary);
        if (studentArchitecture is not null)
            foreach (string file in TracePartFiles.List(tracesFolder))
            {
                var provenance = TraceReader.ReadProvenance(file);
                // Imported traces record architecture "none": no family to compare, so the plain message below serves.
                if (provenance.Architecture is "none" or "" || provenance.Architecture == studentArchitecture) continue;
                if (!string.Equals(provenance.TokenizerFingerprint, expected, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException(
                        $"traces in {file} come from a {provenance.Architecture} teacher with tokenizer {Short(provenance.TokenizerFingerprint)} and the " +
                        $"{studentArchitecture} student's tokenizer is {Short(expected)}: a student's architecture may differ from the teacher's only where " +
                        "their vocabularies are identical, so start from a model with the teacher's vocabulary or from a random student (a preset) in the teacher's vocabulary");
            }
        Ensure(tracesFolder, studentVocabulary, "the student's", "train a student with the teacher's vocabulary");
    }

    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming the first part file whose tokenizer fingerprint differs from
    /// <paramref name="vocabulary"/>, the tokenizer of <paramref name="whose"/> model; <paramref name="remedy"/> ends the sentence.
    /// </summary>
    public static void Ensure(string tracesFolder, TokenizerVocabulary vocabulary, string whose, string remedy)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        string expected = TokenizerFingerprint.Compute(vocabulary);
        foreach (string file in TracePartFiles.List(tracesFolder))
        {
            string written = TraceReader.ReadProvenance(file).TokenizerFingerprint;
            if (!string.Equals(written, expected, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException(
                    $"traces in {file} were written with tokenizer {Short(written)}, {whose} tokenizer is {Short(expected)}; {remedy}");
        }
    }

    static string Short(string fingerprint) => fingerprint.Length > 16 ? fingerprint[..16] + "…" : fingerprint;
}
