using LlmDistill.Runtime;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Traces;
using LlmDistill.Training.Data;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training.Data;

public class TestTraceDataLoader
{
    public TestTraceDataLoader() => TorchRuntime.EnsureLoadable();

    static readonly TraceLoaderOptions Small = new() { BatchSize = 4, ShuffleBuffer = 16, Seed = 7 };

    /// <summary>Questions q0.. with <paramref name="samples"/> samples each, in parts of 25 rows.</summary>
    static TempDirectory Folder(int questions, int samples = 2, Func<int, bool>? keep = null)
    {
        var folder = new TempDirectory();
        LoaderTraces.Write(folder.Path,
            from q in Enumerable.Range(0, questions) from s in Enumerable.Range(0, samples) select LoaderTraces.Numbered(q, s, keep?.Invoke(q) ?? true),
            partRows: 25);
        return folder;
    }

    static List<string[]> KeysOfEpoch(TraceDataLoader loader, int epoch = 0) => [.. loader.ReadEpoch(epoch).Select(b => { using (b) return b.Keys.ToArray(); })];

    static string[] AllKeys(TraceDataLoader loader, int epoch = 0) => [.. KeysOfEpoch(loader, epoch).SelectMany(k => k).Order(StringComparer.Ordinal)];

    [Fact]
    public void Respect_keep_trains_only_on_kept_rows_and_all_trains_on_every_row()
    {
        using var folder = Folder(30, keep: q => q % 3 != 0);
        var kept = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small);
        string[] keys = AllKeys(kept);
        Assert.Equal(40, keys.Length);
        Assert.DoesNotContain(keys, k => k.Split('/')[2] is var id && int.Parse(id[1..]) % 3 == 0);
        Assert.Equal(20, kept.Stats.SkippedNotKept);
        Assert.Equal(60, kept.Stats.RowsRead);

        var all = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small with { Keep = TraceKeepFilter.All });
        Assert.Equal(60, AllKeys(all).Length);
        Assert.Equal(0, all.Stats.Skipped);
        Assert.Equal(TraceKeepFilter.All, TraceKeepFilters.Parse("all"));
        Assert.Equal(TraceKeepFilter.RespectKeep, TraceKeepFilters.Parse("respect-keep"));
    }

    [Fact]
    public void The_evaluation_split_keeps_all_samples_of_a_question_on_one_side_whatever_the_seed()
    {
        using var folder = Folder(100, samples: 3);
        var options = Small with { EvaluationPercent = 20 };
        string[] train = AllKeys(new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, options));
        string[] evaluation = AllKeys(new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, options, TraceSplitSide.Evaluation));
        string[] otherSeed = AllKeys(new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, options with { Seed = 99 }, TraceSplitSide.Evaluation));

        Assert.Empty(train.Intersect(evaluation));
        Assert.Equal(300, train.Length + evaluation.Length);
        Assert.Equal(evaluation, otherSeed);
        static string Question(string key) => key[..key.LastIndexOf('/')];
        Assert.Empty(train.Select(Question).Intersect(evaluation.Select(Question)));
        Assert.All(evaluation.GroupBy(Question), g => Assert.Equal(3, g.Count()));
        Assert.InRange(evaluation.Length / 3, 8, 35);
        // pinned: the bucket is SHA-256 of "<dataset>/<split>/<example_id>", never anything machine- or run-dependent
        Assert.Equal(37, EvaluationSplit.Bucket("toy", "train", "q1"));
        Assert.Equal(4, EvaluationSplit.Bucket("gsm8k", "train", "42"));
    }

    [Fact]
    public void Two_loaders_with_the_same_seed_give_identical_batches_and_another_seed_or_epoch_another_order()
    {
        using var folder = Folder(40);
        var a = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small with { CorrectWeight = 2 });
        var b = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small with { CorrectWeight = 2 });
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var left = a.ReadEpoch(epoch).ToList();
            var right = b.ReadEpoch(epoch).ToList();
            Assert.Equal(20, left.Count);
            for (int i = 0; i < left.Count; i++)
            {
                Assert.Equal(left[i].Keys, right[i].Keys);
                AssertSameTensors(left[i], right[i]);
            }
            foreach (var batch in left.Concat(right)) batch.Dispose();
        }

        var epoch0 = KeysOfEpoch(a, 0).SelectMany(k => k).ToArray();
        var epoch1 = KeysOfEpoch(a, 1).SelectMany(k => k).ToArray();
        var otherSeed = KeysOfEpoch(new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small with { Seed = 8 })).SelectMany(k => k).ToArray();
        Assert.NotEqual(epoch0, epoch1);
        Assert.NotEqual(epoch0, otherSeed);
        Assert.Equal(epoch0.Order(StringComparer.Ordinal), epoch1.Order(StringComparer.Ordinal));
        Assert.Equal(epoch0.Order(StringComparer.Ordinal), otherSeed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Resuming_from_a_saved_position_gives_the_batches_that_would_have_come_next_across_epochs()
    {
        using var folder = Folder(15); // 30 rows: 7 full batches and one of 2 per epoch
        var loader = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small);
        var straight = loader.Read(TraceLoaderPosition.Start).Take(20).ToList();
        Assert.Equal(new TraceLoaderPosition(0, 7), straight[7].Position);
        Assert.Equal(2, straight[7].Examples);
        Assert.Equal(new TraceLoaderPosition(1, 0), straight[8].Position);

        var saved = straight[5].Next;
        var resumed = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small).Read(saved).Take(14).ToList();
        for (int i = 0; i < resumed.Count; i++)
        {
            Assert.Equal(straight[6 + i].Position, resumed[i].Position);
            Assert.Equal(straight[6 + i].Keys, resumed[i].Keys);
            AssertSameTensors(straight[6 + i], resumed[i]);
        }
        foreach (var batch in straight.Concat(resumed)) batch.Dispose();
    }

    [Fact]
    public void Stats_count_real_tokens_apart_from_padding_and_sorting_by_length_pads_less()
    {
        using var folder = Folder(64);
        var loader = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small with { ShuffleBuffer = 128, PadToMultipleOf = 1 });
        long real = 0, loss = 0, cells = 0;
        foreach (var batch in loader.ReadEpoch(0))
            using (batch)
            {
                batch.Batch.Validate();
                real += batch.RealTokens;
                loss += batch.LossTokens;
                cells += batch.Batch.BatchSize * batch.Batch.SequenceLength;
                Assert.Equal(batch.LossTokens, batch.Batch.SpanKinds.count_nonzero().item<long>());
                Assert.Equal(batch.LossTokens, batch.Batch.TeacherPresent.count_nonzero().item<long>());
            }
        var stats = loader.Stats;
        Assert.Equal((128L, 32L, real, loss, cells - real), (stats.Examples, stats.Batches, stats.RealTokens, stats.LossTokens, stats.PaddingTokens));

        var sorted = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small with { ShuffleBuffer = 128, PadToMultipleOf = 1, SortByLength = true });
        Assert.Equal(32, sorted.ReadEpoch(0).Count(b => { b.Dispose(); return true; }));
        Assert.Equal(real, sorted.Stats.RealTokens);
        Assert.True(sorted.Stats.PaddingTokens < stats.PaddingTokens / 2, $"sorted {sorted.Stats.PaddingTokens} vs shuffled {stats.PaddingTokens} padding tokens");
    }

    [Fact]
    public void The_last_partial_batch_is_kept_or_dropped_and_rows_too_long_are_skipped_and_counted()
    {
        using var folder = Folder(15);
        var keep = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small);
        Assert.Equal([4, 4, 4, 4, 4, 4, 4, 2], keep.ReadEpoch(0).Select(b => { b.Dispose(); return b.Examples; }));
        var drop = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small with { DropLastPartialBatch = true });
        Assert.Equal(7, drop.ReadEpoch(0).Count(b => { b.Dispose(); return true; }));

        var tight = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, Small with { MaxSequenceLength = 24 });
        int examples = tight.ReadEpoch(0).Sum(b => { b.Dispose(); return b.Examples; });
        Assert.True(tight.Stats.SkippedTooLong > 0);
        Assert.True(tight.Stats.TruncatedPrompts > 0);
        Assert.Equal(30 - tight.Stats.SkippedTooLong, examples);
    }

    [Fact]
    public void Traces_written_with_another_tokenizer_are_refused_in_one_sentence_naming_the_file_and_both_fingerprints()
    {
        using var folder = new TempDirectory();
        LoaderTraces.Write(folder.Path, [LoaderTraces.Numbered(1)], provenance: TraceTestData.Provenance());
        string student = LlmDistill.Tokenization.TokenizerFingerprint.Compute(LoaderTraces.Vocabulary);
        var error = Assert.Throws<InvalidDataException>(() => new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary));
        Assert.Contains(LlmDistill.Traces.TracePartFiles.List(folder.Path)[0], error.Message);
        Assert.Contains("written with tokenizer bbbbbbbbbbbbbbbb…", error.Message);
        Assert.Contains($"the student's tokenizer is {student[..16]}…", error.Message);
        Assert.EndsWith("train a student with the teacher's vocabulary", error.Message);

        LoaderTraces.Write(folder.Path, [LoaderTraces.Numbered(2)]);
        Assert.Throws<InvalidDataException>(() => TraceTokenizerCheck.Ensure(folder.Path, LoaderTraces.Vocabulary));
    }

    static void AssertSameTensors(TraceBatch expected, TraceBatch actual)
    {
        var (e, a) = (expected.Batch, actual.Batch);
        Same(e.InputIds, a.InputIds);
        Same(e.TargetIds, a.TargetIds);
        Same(e.SpanKinds, a.SpanKinds);
        Same(e.TeacherTopKIds, a.TeacherTopKIds);
        Same(e.TeacherTopKLogprobs, a.TeacherTopKLogprobs);
        Same(e.TeacherTailMass, a.TeacherTailMass);
        Same(e.TeacherPresent, a.TeacherPresent);
        Same(e.ExampleWeights, a.ExampleWeights);
    }

    static void Same(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.True(expected.eq(actual).all().item<bool>());
    }
}
