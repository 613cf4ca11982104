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
    public static void Ensure(string tracesFolder, TokenizerVocabulary studentVocabulary) =>
        Ensure(tracesFolder, studentVocabulary, "the student's", "train a student with the teacher's vocabulary");

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
