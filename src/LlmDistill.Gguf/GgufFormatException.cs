namespace LlmDistill.Gguf;
