using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LlmDistill.Pipeline;

/// <summary>
/// Records which inputs and settings a stage's output was made from, so an unchanged stage is skipped. The key is a
/// SHA-256 over the settings (as JSON) and each input's fingerprint: a file's full path, size and last write time
/// (as make does: rehashing a multi-gigabyte teacher on every run would cost more than most stages), or an earlier
/// stage's key. <c>.stages/NAME.started</c> is written when a stage begins and <c>.stages/NAME.done</c> when it ends.
/// </summary>
internal sealed class StageStamp(string workFolder, string stage)
{
    readonly string _folder = Path.Combine(workFolder, ".stages");

    public string Stage { get; } = stage;

    string StartedPath => Path.Combine(_folder, Stage + ".started");
    string DonePath => Path.Combine(_folder, Stage + ".done");

    /// <summary>The key of <paramref name="settings"/> and <paramref name="inputs"/> (file paths, or keys of earlier stages).</summary>
    public static string Key(object settings, params string?[] inputs)
    {
        var text = new StringBuilder(JsonSerializer.Serialize(settings, settings.GetType()));
        foreach (string? input in inputs)
        {
            text.Append('\n');
            if (input is null) text.Append('-');
            else if (File.Exists(input))
            {
                var file = new FileInfo(input);
                text.Append($"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}");
            }
            else text.Append(input);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>True when the stage finished with exactly this key.</summary>
    public bool IsDone(string key) => Read(DonePath) == key;

    /// <summary>True when a run with this key began and did not finish: its output can be resumed.</summary>
    public bool WasInterrupted(string key) => Read(StartedPath) == key && !IsDone(key);

    /// <summary>True when some earlier run of this stage used another key: its output is stale.</summary>
    public bool HasOtherKey(string key) => Read(StartedPath) is { } started && started != key;

    public void MarkStarted(string key)
    {
        Directory.CreateDirectory(_folder);
        if (File.Exists(DonePath)) File.Delete(DonePath);
        Write(StartedPath, key);
    }

    public void MarkDone(string key) => Write(DonePath, key);

    static string? Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    static void Write(string path, string key)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, key);
        File.Move(temp, path, overwrite: true);
    }
}
