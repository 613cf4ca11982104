using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmDistill.Traces;

/// <summary>
/// Naming of trace part files in a folder. A writer fills <c>.part-NNNN-&lt;shard&gt;.parquet.tmp</c> and renames
/// it to <c>part-NNNN-&lt;shard&gt;.parquet</c> once the file is closed, so a complete name always means a complete
/// file. Readers take every <c>*.parquet</c> whose name does not start with '.' or '_' (the Hive/Spark rule for
/// hidden files) and never a <c>.tmp</c>.
/// </summary>
public static partial class TracePartFiles
{
    public const string Extension = ".parquet";
    public const string TemporarySuffix = ".tmp";

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex ShardPattern();

    [GeneratedRegex(@"^\.?part-(\d+)-(.+)\.parquet(\.tmp)?$")]
    private static partial Regex PartPattern();

    public static void ValidateShard(string shard)
    {
        if (shard is null || !ShardPattern().IsMatch(shard))
            throw new ArgumentException($"shard '{shard}' must be 1–64 characters of A–Z, a–z, 0–9, '_', '.', '-'", nameof(shard));
    }

    /// <summary><c>part-NNNN-&lt;shard&gt;.parquet</c> (at least four digits).</summary>
    public static string CompleteName(int index, string shard) =>
        string.Create(CultureInfo.InvariantCulture, $"part-{index:D4}-{shard}{Extension}");

    /// <summary><c>.part-NNNN-&lt;shard&gt;.parquet.tmp</c>: hidden from readers while being written.</summary>
    public static string TemporaryName(int index, string shard) => "." + CompleteName(index, shard) + TemporarySuffix;

    /// <summary>Complete trace files: the file itself, or a folder's readable *.parquet files in ordinal name order.</summary>
    public static IReadOnlyList<string> List(string folderOrFile)
    {
        if (File.Exists(folderOrFile)) return [folderOrFile];
        if (!Directory.Exists(folderOrFile)) throw new DirectoryNotFoundException($"no trace file or folder at '{folderOrFile}'");
        return Directory.EnumerateFiles(folderOrFile, "*" + Extension)
            .Where(path => Path.GetFileName(path) is var name && name.EndsWith(Extension, StringComparison.Ordinal)
                && !name.StartsWith('.') && !name.StartsWith('_'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Temporaries a writer left behind: <c>.part-*.parquet.tmp</c>.</summary>
    public static IReadOnlyList<string> ListTemporaries(string folder) =>
        !Directory.Exists(folder) ? [] :
        Directory.EnumerateFiles(folder, ".part-*" + Extension + TemporarySuffix).Order(StringComparer.Ordinal).ToList();

    /// <summary>The index after the highest one used by this shard in the folder, complete or temporary.</summary>
    public static int NextIndex(string folder, string shard)
    {
        int next = 0;
        if (!Directory.Exists(folder)) return next;
        foreach (string path in Directory.EnumerateFiles(folder, "*part-*"))
        {
            var match = PartPattern().Match(Path.GetFileName(path));
            if (match.Success && match.Groups[2].Value == shard
                && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                next = Math.Max(next, index + 1);
        }
        return next;
    }

    /// <summary>
    /// Deletes the temporaries left by writers that crashed (their rows were never visible to readers). Call it
    /// only while no writer works on the folder. Returns the number deleted.
    /// </summary>
    public static int CleanStaleTemporaries(string folder)
    {
        int deleted = 0;
        foreach (string path in ListTemporaries(folder))
        {
            File.Delete(path);
            deleted++;
        }
        return deleted;
    }
}
