using System.Net.Http.Headers;
using LlmDistill.Serving;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Tests.Serving;

/// <summary>`serve` started in-process on a free loopback port over the tiny Qwen2 teacher, shared by a test class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    readonly TinyTeacherFixture _teachers = new();

    public OpenAiServer Server { get; private set; } = null!;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(2) };
    public GgufModel Model => _teachers.Qwen2;
    public int[][] Prompts(int count) => _teachers.Prompts(_teachers.Qwen2, count);

    public static ServeSettings Settings(string model) => new()
    {
        ModelPath = model, Port = 0, ModelName = "tiny", QueueLimit = 128,
        Engine = new() { Parallel = 8, ContextPerSequence = 256, Threads = 1 },
    };

    public async Task InitializeAsync()
    {
        Server = await OpenAiServer.StartAsync(Settings(_teachers.Qwen2Path), new ServedModel(_teachers.Qwen2, Settings(_teachers.Qwen2Path).Engine, 128, "tiny"));
        Http.BaseAddress = Server.Address;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Server.Model.Dispose();
        Http.Dispose();
        _teachers.Dispose();
    }

    public static StringContent Json(string json) => new(json, new MediaTypeHeaderValue("application/json"));
}
