namespace LlmDistill.IO;

/// <summary>Puts a fully written staging folder in place of a target folder, so readers see the old or the new one whole.</summary>
public static class FolderSwap
{
    /// <summary>
    /// Moves <paramref name="staging"/> to <paramref name="target"/>. Directory.Move cannot overwrite, so an existing
    /// target is set aside first, the new folder moved in, then the old one deleted.
    /// </summary>
    public static void Replace(string staging, string target)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(staging, target);
            return;
        }
        string old = $"{target}.old-{Guid.NewGuid():N}";
        Directory.Move(target, old);
        Directory.Move(staging, target);
        Directory.Delete(old, recursive: true);
    }
}
