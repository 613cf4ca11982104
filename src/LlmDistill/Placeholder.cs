namespace LlmDistill;
