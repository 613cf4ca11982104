using System.Text;
using LlmDistill.Generation;
using LlmDistill.Gguf;
using LlmDistill.Runtime;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Generation;
using LlmDistill.Tokenization;
using LlmDistill.Traces;
using LlmDistill.Training.Data;
using LlmDistill.Training.Losses;

namespace LlmDistill.Tests.Training.Data;

[Collection(TinyTeacherCollection.Name)]
public class TestTraceLoaderOnGeneratedTraces(TinyTeacherFixture teachers)
{
    [Fact]
    public void Real_traces_from_the_tiny_teacher_load_into_batches_whose_targets_are_the_completion_ids()
    {
        TorchRuntime.EnsureLoadable();
        using var folder = new TempDirectory();
        GenerateRun.Run(new GenerateSettings
        {
            TeacherPath = teachers.Qwen2Path, DataPath = RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
            Prompt = new() { Template = RepositoryFiles.Path("prompts/cot-math.yaml") }, OutputFolder = folder.Path,
            Samples = 2, Capture = new() { TopK = 5 }, Sampling = new() { MaxTokens = 12 }, Engine = new() { Parallel = 4, ContextPerSequence = 1024 }, Limit = 6, RowsPerPart = 4,
        });
        TokenizerVocabulary vocabulary;
        using (var gguf = GgufFile.Open(teachers.Qwen2Path)) vocabulary = TokenizerGgufMetadata.Read(gguf.Metadata);
        var records = TraceReader.Read(folder.Path).ToDictionary(r => r.Key);

        var pieces = new TokenPieces(vocabulary);
        foreach (var record in records.Values) // the pieces rebuild the text the generator assembled from llama.cpp's pieces
            Assert.StartsWith(record.CompletionText, Encoding.UTF8.GetString([.. record.CompletionTokenIds.SelectMany(id => pieces[id].ToArray())]));

        var loader = new TraceDataLoader(folder.Path, vocabulary, new TraceLoaderOptions { BatchSize = 5, Keep = TraceKeepFilter.All });
        int seen = 0;
        foreach (var batch in loader.ReadEpoch(0))
            using (batch)
            {
                batch.Batch.Validate();
                Assert.Equal(5, batch.Batch.TopK);
                long[,] targets = To2D(batch.Batch.TargetIds.data<long>().ToArray(), batch.Batch.SequenceLength);
                long[,] spans = To2D(batch.Batch.SpanKinds.data<long>().ToArray(), batch.Batch.SequenceLength);
                long[] topIds = batch.Batch.TeacherTopKIds.data<long>().ToArray();
                for (int b = 0; b < batch.Examples; b++)
                {
                    var record = records[batch.Keys[b]];
                    int p = record.PromptTokenIds.Length, n = record.CompletionTokenIds.Length;
                    var predicted = Enumerable.Range(0, n).Select(j => targets[b, p - 1 + j]);
                    Assert.Equal(record.CompletionTokenIds.Select(id => (long)id), predicted);
                    Assert.All(Enumerable.Range(0, p - 1), t => Assert.Equal(SpanKind.Ignore, spans[b, t]));
                    Assert.All(Enumerable.Range(0, n), j => Assert.NotEqual(SpanKind.Ignore, spans[b, p - 1 + j]));
                    long row = (b * batch.Batch.SequenceLength + p - 1) * 5;
                    Assert.Equal(record.TopIds.Select(id => (long)id), topIds[(int)row..(int)(row + 5 * n)]);
                    seen++;
                }
            }
        Assert.Equal(records.Count, seen);
        Assert.Equal(0, loader.Stats.AnswerBoundaryMissing);
        Assert.Equal(0, loader.Stats.Skipped);
    }

    static long[,] To2D(long[] flat, long columns)
    {
        var result = new long[flat.Length / columns, columns];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(long));
        return result;
    }
}
