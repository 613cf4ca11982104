using LlmDistill.Fuzz;
using SharpFuzz;

// llmdistill-fuzz TARGET              : the AFL++ entry point (SharpFuzz out-of-process loop; reads inputs from AFL).
// llmdistill-fuzz seeds CORPUS       : writes the binary seeds (GGUF, trace part, Parquet data set, recipes).
// llmdistill-fuzz replay TARGET PATH… : runs files (or every file of folders) through the target's harness, prints
//                                       each outcome; exit code 1 when any broke the rule (crash, hang, allocation).
if (args.Length == 1 && FuzzTargets.Names.Contains(args[0]))
{
    string target = args[0];
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        FuzzHarness.Check(target, buffer.ToArray(), failFastOnHang: true);
    });
    return 0;
}
if (args.Length == 2 && args[0] == "seeds")
{
    Seeds.Write(args[1]);
    return 0;
}
if (args.Length >= 3 && args[0] == "replay" && FuzzTargets.Names.Contains(args[1]))
{
    int broken = 0;
    var files = args[2..].SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]);
    foreach (string file in files)
    {
        try
        {
            bool valid = FuzzHarness.Check(args[1], File.ReadAllBytes(file));
            Console.WriteLine($"{(valid ? "valid  " : "refused")} {file}");
        }
        catch (Exception e)
        {
            broken++;
            Console.WriteLine($"BROKEN  {file}: {e.GetType().FullName}: {e.Message}");
            Console.WriteLine(e.StackTrace);
        }
    }
    return broken == 0 ? 0 : 1;
}
Console.Error.WriteLine($"usage: llmdistill-fuzz TARGET | replay TARGET FILE-OR-FOLDER...   (targets: {string.Join(", ", FuzzTargets.Names)})");
return 2;
