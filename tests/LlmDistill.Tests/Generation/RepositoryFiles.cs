namespace LlmDistill.Tests.Generation;

/// <summary>Files shipped at the top of the repository (prompts/, datasets/), found from the test binary upward.</summary>
internal static class RepositoryFiles
{
    public static string Path(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "LlmDistill.sln")))
                return System.IO.Path.Combine(dir.FullName, relative);
        throw new DirectoryNotFoundException($"no LlmDistill.sln above {AppContext.BaseDirectory}");
    }
}
