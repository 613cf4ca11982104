using LlmDistill.Fuzz;
using LlmDistill.Tests.Generation;

namespace LlmDistill.Tests.Fuzz;

/// <summary>
/// The fuzz targets (tests/LlmDistill.Fuzz, run under AFL++ by tests/fuzz/run.sh) without AFL: every committed seed
/// and every input the fuzzer found breaking a parser (tests/fuzz/regressions/TARGET) goes through the same harness,
/// under the same rule (a result or the documented exception, the allocation bound, a time limit: 30 s here, 1 s under AFL).
/// </summary>
public sealed class TestFuzzTargets
{
    // Hangs are AFL's to find (1 s there); here a replay shares two cores with the whole suite, so only a real hang,
    // not a busy neighbour, may fail it.
    static TestFuzzTargets() => FuzzHarness.TimeLimit = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Targets() => [.. FuzzTargets.Names];

    [Theory, MemberData(nameof(Targets))]
    public void Every_seed_of_the_target_parses_to_a_valid_result(string target)
    {
        var seeds = Directory.GetFiles(RepositoryFiles.Path(Path.Combine("tests", "fuzz", "corpus", target)));
        Assert.NotEmpty(seeds);
        foreach (string seed in seeds)
            Assert.True(FuzzHarness.Check(target, File.ReadAllBytes(seed)), $"{seed} was refused");
    }

    [Theory, MemberData(nameof(Targets))]
    public void Every_input_the_fuzzer_found_now_ends_in_a_result_or_the_documented_exception(string target)
    {
        string folder = RepositoryFiles.Path(Path.Combine("tests", "fuzz", "regressions", target));
        foreach (string input in Directory.Exists(folder) ? Directory.GetFiles(folder) : [])
        {
            var error = Record.Exception(() => FuzzHarness.Check(target, File.ReadAllBytes(input)));
            Assert.True(error is null, $"{input}: {error}");
        }
    }

    [Fact]
    public void Mutated_seeds_break_no_rule()
    {
        // A taste of what AFL does, for every target: 40 seeded byte flips, insertions and truncations of each seed.
        var random = new Random(18);
        foreach (string target in FuzzTargets.Names)
            foreach (string seed in Directory.GetFiles(RepositoryFiles.Path(Path.Combine("tests", "fuzz", "corpus", target))))
            {
                byte[] original = File.ReadAllBytes(seed);
                for (int i = 0; i < 40; i++)
                {
                    byte[] mutated = Mutate(original, random);
                    var error = Record.Exception(() => FuzzHarness.Check(target, mutated));
                    Assert.True(error is null, $"{target}, {seed}, mutation {i} ({Convert.ToBase64String(mutated)}): {error}");
                }
            }
    }

    [Fact]
    public void An_unknown_target_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => FuzzTargets.Run("nope", []));
        Assert.Contains("unknown fuzz target 'nope'", e.Message);
    }

    static byte[] Mutate(byte[] data, Random random)
    {
        var bytes = data.ToList();
        if (bytes.Count == 0) return [(byte)random.Next(256)];
        switch (random.Next(3))
        {
            case 0:
                for (int k = random.Next(1, 5); k > 0; k--) bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                break;
            case 1:
                bytes.InsertRange(random.Next(bytes.Count), Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256)));
                break;
            default:
                bytes = bytes.Take(random.Next(bytes.Count)).ToList();
                break;
        }
        return [.. bytes];
    }
}
