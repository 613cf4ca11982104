using System.Globalization;
using System.Text.RegularExpressions;
using LlmDistill.Generation.Datasets;

namespace LlmDistill.Tests.Generation;

public partial class TestShippedDatasets
{
    [Fact]
    public void Gsm8k_style_sample_has_correct_arithmetic_and_final_answers()
    {
        string path = RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl");
        var reader = DatasetReader.Open(path, new DatasetReadOptions { KeepCalculatorAnnotations = true });
        var rows = reader.ToList();

        Assert.Equal(("gsm8k-style-sample", "all"), (reader.Name, reader.Split));
        Assert.Equal(20, rows.Count);
        Assert.Equal(20, rows.Select(r => r.Id).Distinct().Count());
        foreach (var row in rows)
        {
            var steps = CalculatorAnnotation().Matches(row.GoldRationale!);
            Assert.NotEmpty(steps);
            foreach (Match step in steps)
                Assert.True(Evaluate(step.Groups["expr"].Value) == decimal.Parse(step.Groups["value"].Value, CultureInfo.InvariantCulture),
                    $"line {row.Line}: {step.Value} is wrong");
            foreach (Match step in steps) Assert.Equal(step.Groups["value"].Value, step.Groups["shown"].Value);
            Assert.Equal(steps[^1].Groups["value"].Value, row.GoldAnswer);
        }
    }

    [Fact]
    public void Csv_sample_reads_with_quoted_commas_quotes_and_line_breaks()
    {
        var rows = DatasetReader.Open(RepositoryFiles.Path("datasets/sample.csv")).ToList();

        Assert.Equal(["csv-1", "csv-2", "csv-3", "csv-4"], rows.Select(r => r.Id));
        Assert.Equal(["16", "15", "1000", "5"], rows.Select(r => r.GoldAnswer));
        Assert.Equal("Two bulk packs cost 2 * 8 = 16 dollars.", rows[0].GoldRationale);
        Assert.Contains("\"level\"", rows[3].Question);
    }

    // An independent evaluator for the annotation's + - * / ( ) expressions.
    static decimal Evaluate(string expression) =>
        Convert.ToDecimal(new System.Data.DataTable().Compute(expression, null), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"<<(?<expr>[^=<>]+)=(?<value>-?\d+(?:\.\d+)?)>>(?<shown>-?\d+(?:\.\d+)?)")]
    private static partial Regex CalculatorAnnotation();
}
