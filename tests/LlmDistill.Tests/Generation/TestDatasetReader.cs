using LlmDistill.Generation.Datasets;
using LlmDistill.Tests.Fixtures;
using Parquet;
using Parquet.Schema;

namespace LlmDistill.Tests.Generation;

public class TestDatasetReader
{
    const string Gsm8kLine =
        """{"question": "Natalia sold 48 clips in April and half as many in May. How many in all?", "answer": "In May she sold 48/2 = <<48/2=24>>24 clips.\nIn all 48+24 = <<48+24=72>>72.\n#### 72"}""";

    [Fact]
    public void Jsonl_rows_carry_question_gold_answer_rationale_and_line()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("gsm8k-train.jsonl", Gsm8kLine + "\n\n" + """{"id": "q2", "question": "What is 2+2?", "answer": "4"}""" + "\n");

        var reader = DatasetReader.Open(path);
        var rows = reader.ToList();

        Assert.Equal(("gsm8k", "train", DatasetFormat.Jsonl), (reader.Name, reader.Split, reader.Format));
        Assert.Equal(2, rows.Count);
        Assert.Equal("72", rows[0].GoldAnswer);
        Assert.Equal("In May she sold 48/2 = 24 clips.\nIn all 48+24 = 72.", rows[0].GoldRationale);
        Assert.Equal(1, rows[0].Line);
        Assert.Equal(new DatasetRow("q2", "What is 2+2?", "4", null, 3), rows[1]);
    }

    [Fact]
    public void Calculator_annotations_are_kept_when_asked()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("gsm8k.jsonl", Gsm8kLine);

        var row = DatasetReader.Open(path, new DatasetReadOptions { KeepCalculatorAnnotations = true }).Single();

        Assert.Contains("<<48/2=24>>", row.GoldRationale);
    }

    [Fact]
    public void Gold_answers_are_normalised_and_numeric_json_answers_accepted()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("d.jsonl", """
            {"question": "a", "answer": "Work.\n#### 1,234"}
            {"question": "b", "answer": 17}
            {"question": "c", "answer": "$5.00"}
            {"question": "d", "answer": null}
            {"question": "e", "answer": "Paris."}
            """);

        var gold = DatasetReader.Open(path).Select(r => r.GoldAnswer).ToList();

        Assert.Equal(["1234", "17", "5", null, "paris"], gold);
    }

    [Fact]
    public void Field_map_names_other_question_answer_id_and_rationale_fields()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("custom.jsonl", """{"uid": 7, "problem": "1+1?", "solution": "2", "why": "one and one"}""");
        var options = new DatasetReadOptions
        {
            QuestionField = "problem", AnswerField = "solution", IdField = "uid", RationaleField = "why",
            Name = "mine", Split = "dev",
        };

        var reader = DatasetReader.Open(path, options);

        Assert.Equal(new DatasetRow("7", "1+1?", "2", "one and one", 1), reader.Single());
        Assert.Equal(("mine", "dev"), (reader.Name, reader.Split));
    }

    [Fact]
    public void Csv_reads_quoted_fields_with_commas_quotes_and_line_breaks()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("sample-test.csv",
            "id,question,answer\r\n" +
            "a,\"Tom has 3 apples, then 2 more. How many?\",5\r\n" +
            "b,\"She said \"\"hi\"\"\nthen left. Count words?\",\"Two words.\n#### 2\"\r\n" +
            "c,plain question,\r\n");

        var reader = DatasetReader.Open(path);
        var rows = reader.ToList();

        Assert.Equal(("sample", "test", DatasetFormat.Csv), (reader.Name, reader.Split, reader.Format));
        Assert.Equal(new DatasetRow("a", "Tom has 3 apples, then 2 more. How many?", "5", null, 2), rows[0]);
        Assert.Equal(new DatasetRow("b", "She said \"hi\"\nthen left. Count words?", "2", "Two words.", 3), rows[1]);
        Assert.Equal(new DatasetRow("c", "plain question", null, null, 6), rows[2]);
    }

    [Fact]
    public void Csv_row_with_wrong_column_count_names_file_and_line()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv", "question,answer\nq1,1\nq2,2,extra\n");

        var error = Assert.Throws<DatasetFormatException>(() => DatasetReader.Open(path).ToList());

        Assert.Equal((path, 3L), (error.FilePath, error.Line));
        Assert.StartsWith($"{path}:3: 3 columns, the header has 2", error.Message);
    }

    [Fact]
    public void Csv_without_the_question_column_fails_naming_the_field()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv", "prompt,answer\nq1,1\n");

        var error = Assert.Throws<DatasetFormatException>(() => DatasetReader.Open(path).ToList());

        Assert.Equal("question", error.Field);
        Assert.Contains("prompt, answer", error.Message);
    }

    [Fact]
    public void Csv_unclosed_quote_and_text_after_a_closing_quote_are_malformed()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv", "question,answer\n\"q1\"x,1\nq2,2\n\"q3,3\n");

        var reader = DatasetReader.Open(path, new DatasetReadOptions { SkipInvalid = true });
        var rows = reader.ToList();

        Assert.Equal(["q2"], rows.Select(r => r.Question));
        Assert.Equal(2, reader.Skipped);
        Assert.StartsWith($"{path}:2: unexpected 'x'", reader.SkipMessages[0]);
        Assert.StartsWith($"{path}:4: quoted field opened on line 4 is never closed", reader.SkipMessages[1]);
    }

    [Theory]
    [InlineData("{\"question\": \"ok\"}\n{\"question\": \"broken\"", 2, null, "invalid JSON")]
    [InlineData("{\"answer\": \"1\"}", 1, "question", "missing")]
    [InlineData("{\"question\": 12}", 1, "question", "expected a string, found Number")]
    [InlineData("{\"question\": \"  \"}", 1, "question", "empty")]
    [InlineData("[1, 2]", 1, null, "expected a JSON object")]
    [InlineData("{\"question\": \"q\", \"answer\": [1]}", 1, "answer", "expected a string, found Array")]
    [InlineData("{\"id\": \"x\", \"question\": \"a\"}\n{\"id\": \"x\", \"question\": \"b\"}", 2, "id", "duplicate id 'x'")]
    public void Malformed_jsonl_row_names_file_line_and_field(string content, long line, string? field, string reason)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.jsonl", content);

        var error = Assert.Throws<DatasetFormatException>(() => DatasetReader.Open(path).ToList());

        Assert.Equal((path, line, field), (error.FilePath, error.Line, error.Field));
        Assert.StartsWith(field is null ? $"{path}:{line}: {reason}" : $"{path}:{line}: field '{field}': {reason}", error.Message);
    }

    [Fact]
    public void Skip_invalid_counts_every_bad_row_and_keeps_the_first_messages()
    {
        using var dir = new TempDirectory();
        var lines = Enumerable.Range(1, 30).Select(i => i % 3 == 0 ? "{not json" : $$"""{"question": "q{{i}}"}""");
        string path = dir.Write("many.jsonl", string.Join('\n', lines));

        var reader = DatasetReader.Open(path, new DatasetReadOptions { SkipInvalid = true, MaxSkipMessages = 3 });
        var rows = reader.ToList();

        Assert.Equal(20, rows.Count);
        Assert.Equal(10, reader.Skipped);
        Assert.Equal(3, reader.SkipMessages.Count);
        Assert.StartsWith($"{path}:3: invalid JSON", reader.SkipMessages[0]);
        Assert.StartsWith($"{path}:9: invalid JSON", reader.SkipMessages[2]);
    }

    [Fact]
    public void Derived_ids_are_stable_across_reads_and_duplicates_get_suffixes_in_file_order()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("ids.jsonl", """
            {"question": "How many legs has a cat?"}
            {"question": "How  many legs has a cat? "}
            {"question": "What is 3*3?"}
            {"question": "How many legs has a cat?"}
            """);

        var first = DatasetReader.Open(path).Select(r => r.Id).ToList();
        var second = DatasetReader.Open(path).Select(r => r.Id).ToList();

        string cat = DatasetIds.FromQuestion("How many legs has a cat?");
        Assert.Equal([cat, cat + "-2", DatasetIds.FromQuestion("What is 3*3?"), cat + "-3"], first);
        Assert.Equal(first, second);
        Assert.Matches("^[0-9a-f]{16}$", cat);
    }

    [Fact]
    public async Task Parquet_rows_are_read_across_row_groups_with_integer_ids()
    {
        using var dir = new TempDirectory();
        string path = dir.File("arith-validation.parquet");
        await WriteParquet(path,
            [["What is 1+1?", "What is 2+2?"], ["What is 3+3?"]],
            [["2", "Add.\n#### 4"], [null]],
            [[10L, 11L], [12L]]);

        var reader = DatasetReader.Open(path);
        var rows = reader.ToList();

        Assert.Equal(("arith", "validation", DatasetFormat.Parquet), (reader.Name, reader.Split, reader.Format));
        Assert.Equal(
        [
            new DatasetRow("10", "What is 1+1?", "2", null, 1),
            new DatasetRow("11", "What is 2+2?", "4", "Add.", 2),
            new DatasetRow("12", "What is 3+3?", null, null, 3),
        ], rows);
    }

    [Fact]
    public async Task Parquet_null_question_names_file_row_and_field()
    {
        using var dir = new TempDirectory();
        string path = dir.File("nulls.parquet");
        await WriteParquet(path, [["ok", null]], [["1", "2"]], null);

        var error = Assert.Throws<DatasetFormatException>(() => DatasetReader.Open(path).ToList());

        Assert.Equal($"{path}: row 2: field 'question': missing", error.Message);
    }

    [Fact]
    public async Task Parquet_question_column_of_another_type_is_refused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ints.parquet");
        var field = new DataField<int>("question");
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(field), stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(field, new ReadOnlyMemory<int>([1, 2]));
        }

        var error = Assert.Throws<DatasetFormatException>(() => DatasetReader.Open(path).ToList());

        Assert.Equal("question", error.Field);
        Assert.Contains("expected string", error.Message);
    }

    // One row group per entry of questions; answers and ids (null: no id column) follow the same grouping.
    static async Task WriteParquet(string path, string?[][] questions, string?[][] answers, long[][]? ids)
    {
        var question = new DataField<string>("question");
        var answer = new DataField<string>("answer");
        var id = new DataField<long>("id");
        var schema = ids is null ? new ParquetSchema(question, answer) : new ParquetSchema(id, question, answer);
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        for (int g = 0; g < questions.Length; g++)
        {
            using var group = writer.CreateRowGroup();
            if (ids is not null) await group.WriteAsync(id, new ReadOnlyMemory<long>(ids[g]));
            await group.WriteAsync(question, questions[g]!);
            await group.WriteAsync(answer, answers[g]!);
        }
    }

    [Fact]
    public void A_Parquet_file_whose_footer_has_no_columns_is_refused_as_damaged()
    {
        // Found by fuzzing (tests/fuzz/regressions/datasets): Parquet.Net threw ArgumentException from its schema.
        byte[] input = File.ReadAllBytes(RepositoryFiles.Path(Path.Combine("tests", "fuzz", "regressions", "datasets", "id-000008-no-columns.bin")));
        using var dir = new TempDirectory();
        string path = dir.File("data.parquet");
        File.WriteAllBytes(path, input[1..]);  // the first byte is the fuzz target's format selector
        var e = Assert.Throws<DatasetFormatException>(() => DatasetReader.Open(path).ToList());
        Assert.Contains(path, e.Message);
        Assert.Contains("damaged Parquet file", e.Message);
    }
}
