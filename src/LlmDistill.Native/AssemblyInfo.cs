using System.Runtime.CompilerServices;

// Structs passed to libllama are LLamaSharp's blittable ones; the runtime must not marshal them.
[assembly: DisableRuntimeMarshalling]

[assembly: InternalsVisibleTo("LlmDistill.Tests")]
