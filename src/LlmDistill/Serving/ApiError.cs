namespace LlmDistill.Serving;

/// <summary>An OpenAI-style error answer: HTTP status and {"error": {"message", "type", "param", "code"}}.</summary>
public sealed class ApiError(int status, string type, string message, string? param = null, string? code = null) : Exception(message)
{
    /// <summary>HTTP status code.</summary>
    public int Status { get; } = status;
    /// <summary>OpenAI's error type, e.g. invalid_request_error.</summary>
    public string Type { get; } = type;
    /// <summary>The request field at fault, if any.</summary>
    public string? Param { get; } = param;
    /// <summary>A machine-readable code, e.g. model_not_found.</summary>
    public string? Code { get; } = code;

    internal static ApiError BadRequest(string message, string? param = null) => new(400, "invalid_request_error", message, param);

    /// <summary>The JSON body.</summary>
    public object Body => new { error = new { message = Message, type = Type, param = Param, code = Code } };
}
