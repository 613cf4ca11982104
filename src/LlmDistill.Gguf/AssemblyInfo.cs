using System.Runtime.CompilerServices;

// Tests check internal pieces (K-quant scale unpacking) directly.
[assembly: InternalsVisibleTo("LlmDistill.Gguf.Tests")]
