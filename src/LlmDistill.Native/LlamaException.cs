namespace LlmDistill.Native;

/// <summary>A llama.cpp call failed. <see cref="ReturnCode"/> holds the native return value when there is one.</summary>
public class LlamaException : Exception
{
    public LlamaException(string message) : base(message) { }
    public LlamaException(string message, Exception? inner) : base(message, inner) { }
    public LlamaException(string message, int returnCode) : base(message) => ReturnCode = returnCode;

    /// <summary>The native function's return value (e.g. llama_decode's), if the failure came with one.</summary>
    public int? ReturnCode { get; }
}

/// <summary>The llama.cpp native libraries could not be found or loaded; the message lists likely causes.</summary>
public sealed class LlamaLibraryLoadException : LlamaException
{
    public LlamaLibraryLoadException(string message, string library, Exception? inner = null) : base(message, inner)
        => Library = library;

    /// <summary>The library file (or folder) that was asked for; empty when LLamaSharp chose.</summary>
    public string Library { get; }
}
