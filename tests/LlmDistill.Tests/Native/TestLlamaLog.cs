using LlmDistill.Native;
using Microsoft.Extensions.Logging;

namespace LlmDistill.Tests.Native;

[Collection(LlamaCollection.Name)]
public sealed class TestLlamaLog : IDisposable
{
    private readonly TestLogger _logger = new();

    public TestLlamaLog()
    {
        LlamaLog.Flush();
        LlamaLog.Logger = _logger;
    }

    public void Dispose() => LlamaLog.Logger = null!;

    [Fact]
    public void Complete_lines_are_logged_one_entry_each_at_the_mapped_level()
    {
        LlamaLog.Write(GgmlLogLevel.Info, "first line\nsecond line\n");
        LlamaLog.Write(GgmlLogLevel.Warn, "careful\n");
        Assert.Equal(
            [(LogLevel.Information, "first line"), (LogLevel.Information, "second line"), (LogLevel.Warning, "careful")],
            _logger.Entries);
    }

    [Fact]
    public void Cont_pieces_continue_the_previous_line_at_its_level()
    {
        LlamaLog.Write(GgmlLogLevel.Error, "loading");
        LlamaLog.Write(GgmlLogLevel.Cont, ".");
        LlamaLog.Write(GgmlLogLevel.Cont, ".");
        LlamaLog.Write(GgmlLogLevel.Cont, " done\n");
        Assert.Equal([(LogLevel.Error, "loading.. done")], _logger.Entries);
    }

    [Fact]
    public void A_new_message_flushes_an_unfinished_one()
    {
        LlamaLog.Write(GgmlLogLevel.Debug, "no newline");
        LlamaLog.Write(GgmlLogLevel.Info, "next\n");
        Assert.Equal([(LogLevel.Debug, "no newline"), (LogLevel.Information, "next")], _logger.Entries);
    }

    [Fact]
    public void Blank_lines_are_dropped()
    {
        LlamaLog.Write(GgmlLogLevel.Info, "\n\n  \n");
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Error_lines_are_kept_for_exception_messages()
    {
        long mark = LlamaLog.ErrorMark;
        LlamaLog.Write(GgmlLogLevel.Error, "boom\n");
        LlamaLog.Write(GgmlLogLevel.Info, "fine\n");
        Assert.Equal(["boom"], LlamaLog.ErrorsSince(mark));
    }

    [Fact]
    public void Levels_map_to_logging_levels()
    {
        Assert.Equal(LogLevel.Debug, LlamaLog.MapLevel(GgmlLogLevel.Debug));
        Assert.Equal(LogLevel.Information, LlamaLog.MapLevel(GgmlLogLevel.Info));
        Assert.Equal(LogLevel.Warning, LlamaLog.MapLevel(GgmlLogLevel.Warn));
        Assert.Equal(LogLevel.Error, LlamaLog.MapLevel(GgmlLogLevel.Error));
    }
}
