using System.Text;
using LlmDistill.Serving;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace LlmDistill.Tests.Serving;

[Collection(TinyTeacherCollection.Name)]
public sealed class TestGgufChatClient(TinyTeacherFixture teachers)
{
    static readonly ChatOptions Greedy = new() { Temperature = 0, MaxOutputTokens = 12 };

    [Fact]
    public async Task The_local_chat_client_answers_with_usage_logprobs_and_streams_the_same_text()
    {
        using var client = new GgufChatClient(new ServedModel(teachers.Qwen2, new() { Parallel = 2, ContextPerSequence = 256, Threads = 1 }), ownsModel: true);
        var response = await client.GetResponseAsync("How many apples?", Greedy);
        int[] prompt = ChatPrompt.Tokens(teachers.Qwen2, [("user", "How many apples?")]);
        Assert.Equal(prompt.Length, response.Usage!.InputTokenCount);
        Assert.Equal(12, response.Usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        var logprobs = Assert.IsAssignableFrom<IReadOnlyList<TokenLogprob>>(response.AdditionalProperties!["logprobs"]);
        Assert.Equal(12, logprobs.Count);
        Assert.Equal(response.Text, string.Concat(logprobs.Select(t => Encoding.UTF8.GetString(t.Bytes))));

        var streamed = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in client.GetStreamingResponseAsync("How many apples?", Greedy))
        {
            streamed.Append(update.Text);
            finish ??= update.FinishReason;
        }
        Assert.Equal(response.Text, streamed.ToString());
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.Equal("tiny-qwen2", client.GetService<ChatClientMetadata>()!.DefaultModelId);
    }

    [Fact]
    public async Task Semantic_kernel_prompt_functions_run_on_the_local_model()
    {
        using var client = new GgufChatClient(new ServedModel(teachers.Qwen2, new() { Parallel = 2, ContextPerSequence = 256, Threads = 1 }), ownsModel: true);
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(client.AsChatCompletionService());
        Kernel kernel = builder.Build();
        var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["temperature"] = 0, ["max_tokens"] = 12 } };
        var function = kernel.CreateFunctionFromPrompt("Question: {{$question}}", settings);
        var answer = await kernel.InvokeAsync(function, new KernelArguments(settings) { ["question"] = "How many apples?" });
        var direct = await client.GetResponseAsync("Question: How many apples?", Greedy);
        Assert.Equal(direct.Text, answer.GetValue<string>());
    }
}
