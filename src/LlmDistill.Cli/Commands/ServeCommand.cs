using System.CommandLine;
using LlmDistill.Serving;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill serve`: an OpenAI-compatible HTTP server over one GGUF model, until Ctrl+C.</summary>
static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve",
            "Serve a GGUF model over the OpenAI API: /v1/chat/completions and /v1/completions (streaming or not, logprobs with up to\n" +
            "20 alternatives and token ids), /v1/models, /health. Concurrent requests share one batched generator. Binds 127.0.0.1\n" +
            "unless --host says otherwise; Ctrl+C stops it after the requests in flight.\n" +
            "Example: llmdistill serve --model student-q8_0.gguf --port 8080 --parallel 16 --api-key secret");
        var options = new CommandOptions<ServeSettings>(command);

        command.SetAction(parsed =>
        {
            var settings = options.Bind(parsed);
            var output = parsed.InvocationConfiguration.Output;
            using var cancel = CtrlC.Cancellation();
            var server = OpenAiServer.StartAsync(settings, cancel: cancel.Token).GetAwaiter().GetResult();
            output.WriteLine($"serving {server.Model.Name} at {server.BaseUrl} ({settings.Engine.Parallel} sequences at once, " +
                             $"{settings.QueueLimit} may wait{(settings.ApiKey is null ? "" : ", API key required")}); Ctrl+C stops");
            server.RunUntilCancelledAsync(cancel.Token).GetAwaiter().GetResult();
            output.WriteLine("stopping: finishing the requests in flight");
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        });
        return command;
    }
}
