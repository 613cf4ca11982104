namespace LlmDistill.IO;

/// <summary>
/// What a killed writer of one output (a file or a folder that appears whole) leaves beside it, and how a rerun
/// clears it: temporaries named <c>&lt;name&gt;.tmp*</c>, <c>&lt;name&gt;.f32-*</c> (export's intermediate) and
/// <c>&lt;name&gt;.staging-*</c> are never the output and are deleted; <c>&lt;name&gt;.old-*</c> is the previous output
/// that <see cref="FolderSwap"/> set aside, put back when the new one never arrived (killed between its two moves).
/// Call only while holding the output's <see cref="RunFolderLock"/>, so no live writer owns what is deleted.
/// </summary>
internal static class OutputLeftovers
{
    static readonly string[] Temporaries = [".tmp", ".f32-", ".staging-"];

    /// <summary>Clears the leftovers beside <paramref name="output"/>; returns how many entries were deleted or restored.</summary>
    public static int Clear(string output)
    {
        string full = Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar);
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent)) return 0;
        string name = Path.GetFileName(full);
        int cleared = 0;
        foreach (string entry in Directory.EnumerateFileSystemEntries(parent, name + ".*").Order(StringComparer.Ordinal).ToArray())
        {
            string suffix = Path.GetFileName(entry)[name.Length..];
            if (suffix.StartsWith(".old-", StringComparison.Ordinal))
            {
                if (!Exists(full)) Directory.Move(entry, full); // the swap's second move never happened: the old output is whole
                else Delete(entry);
                cleared++;
            }
            else if (Temporaries.Any(t => suffix.StartsWith(t, StringComparison.Ordinal)))
            {
                Delete(entry);
                cleared++;
            }
        }
        return cleared;
    }

    static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    static void Delete(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        else File.Delete(path);
    }
}
