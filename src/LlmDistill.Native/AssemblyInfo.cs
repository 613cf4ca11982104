using System.Runtime.CompilerServices;

// C# structs mirror llama.h field for field; the runtime must not marshal them.
[assembly: DisableRuntimeMarshalling]

[assembly: InternalsVisibleTo("LlmDistill.Tests")]
