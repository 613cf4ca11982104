namespace LlmDistill.Tests.Fixtures;

/// <summary>Finds files committed next to the tests: in the build output if copied there, else in the source tree above it.</summary>
public static class SourceTree
{
    public static string TestFile(params string[] relative)
    {
        string inOutput = Path.Combine([AppContext.BaseDirectory, .. relative]);
        if (File.Exists(inOutput)) return inOutput;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine([dir.FullName, "tests", "LlmDistill.Tests", .. relative]);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"Test file {Path.Combine(relative)} is neither in {AppContext.BaseDirectory} nor under a tests/LlmDistill.Tests folder above it.");
    }
}
