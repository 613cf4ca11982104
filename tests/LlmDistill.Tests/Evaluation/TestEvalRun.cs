using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Text.Json;
using System.Xml;
using DuckDB.NET.Data;
using LlmDistill.Evaluation;
using LlmDistill.Serving;

namespace LlmDistill.Tests.Evaluation;

public class TestEvalRun(TinyEvalFixture eval) : IClassFixture<TinyEvalFixture>
{
    static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G'];

    [Fact]
    public void A_run_writes_every_output_and_leaves_no_staging_folder()
    {
        foreach (string file in new[] { EvalReport.FileName, PredictionsWriter.FileName, ReportFolder.MarkdownFile, ReportFolder.HtmlFile })
            Assert.True(File.Exists(Path.Combine(eval.Folder, file)), $"{file} is missing");
        Assert.Equal(["r1"], Directory.GetFileSystemEntries(Path.GetDirectoryName(eval.Folder)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Metrics_json_has_the_documented_fields_for_teacher_and_students()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(eval.Folder, EvalReport.FileName)));
        var models = json.RootElement.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(["tiny-llama", "tiny-qwen2", "distilled"], models.Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(["teacher", "student", "student"], models.Select(m => m.GetProperty("role").GetString()));
        foreach (var m in models)
        {
            double accuracy = m.GetProperty("accuracy").GetDouble(), low = m.GetProperty("ci_low").GetDouble(), high = m.GetProperty("ci_high").GetDouble();
            Assert.InRange(accuracy, low, high);
            Assert.True(m.GetProperty("params").GetInt64() > 0);
            Assert.True(m.GetProperty("file_bytes").GetInt64() > 0);
            Assert.True(m.GetProperty("decode_tokens_per_s").GetDouble() > 0);
            Assert.True(m.GetProperty("prefill_tokens_per_s").GetDouble() > 0);
            Assert.Equal(TinyEvalFixture.Questions, m.GetProperty("questions").GetInt32());
            Assert.Equal(TinyEvalFixture.Samples, m.GetProperty("samples").GetInt32());
        }
        Assert.Equal(3, json.RootElement.GetProperty("comparisons").GetArrayLength()); // every pair of three models
    }

    [Fact]
    public void The_teacher_scores_near_zero_kl_on_its_own_traces_and_students_more()
    {
        var models = eval.Outcome.Report.Models;
        // Only the traces' logprob quantisation separates the teacher from itself (it can tip the sum a hair below 0).
        Assert.InRange(models[0].KlTeacherModel!.Value, -0.01, 0.01);
        Assert.All(models.Skip(1), s => Assert.True(s.KlTeacherModel > models[0].KlTeacherModel + 0.05, $"{s.Name}: KL {s.KlTeacherModel}"));
        Assert.All(models, m => Assert.True(m.ScoredTokens > 0 && m.NllTeacherTokens > 0));
    }

    [Fact]
    public void The_checkpoint_folder_student_is_the_gguf_student_and_carries_its_training_curve()
    {
        var models = eval.Outcome.Report.Models;
        var gguf = models[1];
        var folder = models[2];
        // The checkpoint holds the same weights, widened from F16 to F32: same parameters, a bigger file.
        Assert.Equal(gguf.Params, folder.Params);
        Assert.True(folder.FileBytes > gguf.FileBytes);
        Assert.Equal("F32", folder.Quantization);
        Assert.Equal(40, folder.TrainingCurve!.Count);
        Assert.Null(gguf.TrainingCurve);
        Assert.Equal(models[0].Params / (double)folder.Params, folder.CompressionParams!.Value, 9);
    }

    [Fact]
    public void Predictions_parquet_holds_every_model_question_and_sample_as_duckdb_reads_it()
    {
        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT count(*), count(DISTINCT model), count(DISTINCT question_id), max(sample), sum(completion_tokens)::BIGINT FROM read_parquet('{Path.Combine(eval.Folder, PredictionsWriter.FileName)}')";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(3 * TinyEvalFixture.Questions * (1 + TinyEvalFixture.Samples), Convert.ToInt32(reader.GetValue(0)));
        Assert.Equal(3, Convert.ToInt32(reader.GetValue(1)));
        Assert.Equal(TinyEvalFixture.Questions, Convert.ToInt32(reader.GetValue(2)));
        Assert.Equal(TinyEvalFixture.Samples, Convert.ToInt32(reader.GetValue(3)));
        Assert.True(Convert.ToInt64(reader.GetValue(4)) > 0);

        var ours = PredictionsWriter.Read(Path.Combine(eval.Folder, PredictionsWriter.FileName));
        Assert.Equal(eval.Outcome.Predictions, ours);
    }

    [Fact]
    public void The_html_is_well_formed_and_embeds_every_chart_as_a_png()
    {
        string html = File.ReadAllText(Path.Combine(eval.Folder, ReportFolder.HtmlFile));
        var document = new XmlDocument();
        using (var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }))
            document.Load(reader);
        var images = document.GetElementsByTagName("img").Cast<XmlElement>().Select(e => e.GetAttribute("src")).ToArray();
        Assert.Equal(4, images.Length); // accuracy, against size, against speed, training loss
        foreach (string src in images)
        {
            Assert.StartsWith("data:image/png;base64,", src);
            Assert.Equal(PngMagic, Convert.FromBase64String(src["data:image/png;base64,".Length..])[..4]);
        }
        Assert.Contains("of the teacher", html);
        Assert.Contains("disagree", html);
        Assert.DoesNotContain("src=\"http", html); // self-contained
    }

    [Fact]
    public void The_markdown_report_has_the_table_and_comparisons()
    {
        string md = File.ReadAllText(Path.Combine(eval.Folder, ReportFolder.MarkdownFile));
        Assert.Contains("| tiny-llama | teacher |", md);
        Assert.Contains("McNemar", md);
        Assert.Contains("distilled", md);
    }

    [Fact]
    public async Task A_served_teacher_answers_as_the_local_one_and_the_report_names_it()
    {
        var engine = eval.Settings.Engine;
        await using var server = await OpenAiServer.StartAsync(new ServeSettings { ModelPath = eval.Models.LlamaPath, Port = 0, Engine = engine },
            new ServedModel(eval.Models.Llama, engine, name: "tiny-llama-served"));
        var outcome = EvalRun.Run(eval.Settings with
        {
            StudentPaths = [], TracesPath = null, Samples = 1, OutputFolder = eval.Scratch("reports/remote"),
            Remote = new() { Urls = [server.BaseUrl.ToString()] },
        });
        var teacher = Assert.Single(outcome.Report.Models);
        Assert.Equal("tiny-llama-served", teacher.Name);
        Assert.Contains("tiny-llama-served at " + server.BaseUrl, teacher.Source);
        Assert.Null(teacher.DecodeTokensPerS); // nothing ran locally to time
        // Greedy answers: the same completions as the local teacher's in the shared run.
        var local = eval.Outcome.Predictions.Where(p => p.Model == "tiny-llama" && p.Sample == 0).OrderBy(p => p.QuestionId).ToArray();
        var remote = outcome.Predictions.OrderBy(p => p.QuestionId).ToArray();
        Assert.Equal(local.Select(p => (p.QuestionId, p.CompletionText, p.CompletionTokens, p.Answer)), remote.Select(p => (p.QuestionId, p.CompletionText, p.CompletionTokens, p.Answer)));
        Assert.Contains("| tiny-llama-served | teacher |", File.ReadAllText(Path.Combine(outcome.OutputFolder, ReportFolder.MarkdownFile)));
        server.Model.Dispose();
    }
}
