using LlmDistill.Generation.Datasets;

namespace LlmDistill.Tests.Generation;

public class TestDatasetName
{
    [Theory]
    [InlineData("data/gsm8k-train.jsonl", "gsm8k", "train")]
    [InlineData("gsm8k_test.csv", "gsm8k", "test")]
    [InlineData("svamp.dev.parquet", "svamp", "dev")]
    [InlineData("data/gsm8k/validation.parquet", "gsm8k", "validation")]
    [InlineData("gsm8k-style-sample.jsonl", "gsm8k-style-sample", "all")]
    [InlineData("my-Train.jsonl", "my", "train")]
    public void Name_and_split_come_from_the_file_name(string path, string name, string split)
    {
        Assert.Equal((name, split), DatasetName.Infer(path));
    }
}
