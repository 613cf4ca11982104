using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmDistill.Native;

/// <summary>
/// Routes llama.cpp/ggml log output (llama_log_set) to an <see cref="ILogger"/>. Text arrives in pieces: a message
/// may end without a newline and be continued by later calls (GGML_LOG_LEVEL_CONT or the same level); complete
/// lines are logged one entry each. The default logger is <see cref="NullLogger.Instance"/>: nothing reaches stderr
/// unless a logger is given. The last error lines are also kept so that managed exceptions can quote them.
/// </summary>
public static class LlamaLog
{
    private static readonly object Gate = new();
    private static readonly StringBuilder Pending = new();
    private static GgmlLogLevel _pendingLevel = GgmlLogLevel.Info;
    private static ILogger _logger = NullLogger.Instance;

    private const int ErrorRingSize = 16;
    private static readonly string[] ErrorRing = new string[ErrorRingSize];
    private static long _errorCount;

    /// <summary>The logger llama.cpp messages go to (never null).</summary>
    public static ILogger Logger
    {
        get { lock (Gate) return _logger; }
        set { lock (Gate) _logger = value ?? NullLogger.Instance; }
    }

    /// <summary>Maps ggml_log_level to a logging level (NONE → Information; CONT never reaches here).</summary>
    public static LogLevel MapLevel(GgmlLogLevel level) => level switch
    {
        GgmlLogLevel.Debug => LogLevel.Debug,
        GgmlLogLevel.Info => LogLevel.Information,
        GgmlLogLevel.Warn => LogLevel.Warning,
        GgmlLogLevel.Error => LogLevel.Error,
        _ => LogLevel.Information,
    };

    /// <summary>Native callback installed with llama_log_set. Never throws into native code.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    internal static unsafe void OnNativeLog(GgmlLogLevel level, byte* text, void* userData)
    {
        try
        {
            Write(level, text is null ? string.Empty : Marshal.PtrToStringUTF8((IntPtr)text) ?? string.Empty);
        }
        catch
        {
            // A logging failure must not unwind through llama.cpp.
        }
    }

    /// <summary>Feeds one piece of llama.cpp log text (public for tests and for callers that forward logs).</summary>
    public static void Write(GgmlLogLevel level, string text)
    {
        lock (Gate)
        {
            if (level == GgmlLogLevel.Cont)
            {
                level = _pendingLevel;
            }
            else if (Pending.Length > 0)
            {
                // A new message starts while the previous one had no newline yet: flush the previous one as is.
                Emit(_pendingLevel, Pending.ToString());
                Pending.Clear();
            }
            _pendingLevel = level;
            Pending.Append(text);
            int nl;
            while ((nl = IndexOfNewline(Pending)) >= 0)
            {
                string line = Pending.ToString(0, nl);
                Pending.Remove(0, nl + 1);
                Emit(level, line);
            }
        }
    }

    /// <summary>Logs whatever partial line is buffered.</summary>
    public static void Flush()
    {
        lock (Gate)
        {
            if (Pending.Length > 0)
            {
                Emit(_pendingLevel, Pending.ToString());
                Pending.Clear();
            }
        }
    }

    /// <summary>A mark for <see cref="ErrorsSince"/>: the number of error lines seen so far.</summary>
    public static long ErrorMark
    {
        get { lock (Gate) return _errorCount; }
    }

    /// <summary>Error lines logged by llama.cpp after mark (at most the last 16), oldest first.</summary>
    public static IReadOnlyList<string> ErrorsSince(long mark)
    {
        lock (Gate)
        {
            Flush();
            long from = Math.Max(mark, _errorCount - ErrorRingSize);
            var list = new List<string>();
            for (long i = from; i < _errorCount; i++)
                list.Add(ErrorRing[i % ErrorRingSize]);
            return list;
        }
    }

    private static int IndexOfNewline(StringBuilder sb)
    {
        for (int i = 0; i < sb.Length; i++)
            if (sb[i] == '\n')
                return i;
        return -1;
    }

    private static void Emit(GgmlLogLevel level, string line)
    {
        line = line.TrimEnd('\r');
        if (line.Trim().Length == 0)
            return;
        if (level == GgmlLogLevel.Error)
        {
            ErrorRing[_errorCount % ErrorRingSize] = line;
            _errorCount++;
        }
        LogLevel mapped = MapLevel(level);
        ILogger logger = _logger;
        if (logger.IsEnabled(mapped))
            logger.Log(mapped, "{LlamaMessage}", line);
    }
}
