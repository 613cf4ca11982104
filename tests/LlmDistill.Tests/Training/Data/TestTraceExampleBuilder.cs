using LlmDistill.Training.Data;
using LlmDistill.Training.Losses;

namespace LlmDistill.Tests.Training.Data;

public class TestTraceExampleBuilder
{
    static readonly TraceExampleBuilder Builder = new(LoaderTraces.Vocabulary);

    static TraceExample Build(TraceExampleBuilder builder, LlmDistill.Traces.TraceRecord record)
    {
        var example = builder.Build(record, out var skipped);
        Assert.True(example is not null, $"skipped: {skipped}");
        return example;
    }

    [Fact]
    public void Prompt_positions_get_span_0_rationale_tokens_1_and_the_answer_part_2()
    {
        // prompt "Q?" (2 tokens) + "3+2=5." (rationale, 6) + "\n#### 5" (7) + end of text: 16 tokens, 15 positions
        var record = LoaderTraces.Row("Q?", "3+2=5.\n#### 5");
        Assert.Equal("3+2=5.", record.Rationale);
        var example = Build(Builder, record);

        Assert.Equal(15, example.Length);
        Assert.Equal(2, example.PromptLength);
        Assert.Equal([.. record.PromptTokenIds, .. record.CompletionTokenIds], example.TokenIds);
        byte[] expected = [0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2];
        Assert.Equal(expected, example.SpanKinds);
        Assert.Equal(0, example.DroppedPromptTokens);
        Assert.False(example.AnswerBoundaryMissing);
    }

    [Fact]
    public void Leading_white_space_before_the_rationale_is_rationale_and_the_space_after_it_is_answer()
    {
        var record = LoaderTraces.Row("Q", "  ok\n\n#### 1", endOfText: false);
        Assert.Equal("ok", record.Rationale);
        var example = Build(Builder, record);
        // positions 0..3 predict "  ok", 4..11 predict "\n\n#### 1"
        Assert.Equal([1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2], example.SpanKinds.Select(s => (int)s));
    }

    [Fact]
    public void A_completion_without_an_answer_is_all_rationale()
    {
        var record = LoaderTraces.Row("Q?", "I am not sure");
        Assert.Null(record.Answer);
        var example = Build(Builder, record);
        Assert.Equal(0, example.SpanKinds[0]);
        Assert.All(example.SpanKinds.Skip(1), s => Assert.Equal((byte)SpanKind.Rationale, s));
        Assert.False(example.AnswerBoundaryMissing);
    }

    [Fact]
    public void A_rationale_that_is_not_a_prefix_of_the_completion_makes_all_tokens_rationale_and_is_flagged()
    {
        var record = LoaderTraces.Row("Q?", "3+2=5.\n#### 5") with { Rationale = "something else" };
        var example = Build(Builder, record);
        Assert.True(example.AnswerBoundaryMissing);
        Assert.All(example.SpanKinds.Skip(1), s => Assert.Equal((byte)SpanKind.Rationale, s));
    }

    [Fact]
    public void A_character_split_across_two_tokens_belongs_wholly_to_the_side_it_starts_on()
    {
        // "é" is two byte tokens C3 A9: both start at character 3 of "caf" + "é", inside the rationale
        var record = LoaderTraces.Row("Q", "café\n#### 7");
        var example = Build(Builder, record);
        Assert.Equal([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2], example.SpanKinds.Select(s => (int)s));

        var pieces = new TokenPieces(LoaderTraces.Vocabulary);
        Assert.Equal([0, 1, 1, 2, 3, 3], pieces.CharacterStarts([0x63, 0xC3, 0xA9, 0x21, LoaderTraces.EndOfText])); // c é ! <eot>
    }

    [Fact]
    public void The_teacher_row_of_completion_token_j_belongs_to_the_position_that_predicts_token_j()
    {
        var record = LoaderTraces.Row("Q?", "3+2=5.\n#### 5");
        var example = Build(Builder, record);
        for (int t = 0; t < example.Length; t++)
        {
            int j = example.CompletionIndexAt(t);
            if (t < example.PromptLength - 1) { Assert.Equal(-1, j); continue; }
            Assert.Equal(record.CompletionTokenIds[j], example.TokenIds[t + 1]);
            Assert.Equal(record.CompletionTokenIds[j], example.TeacherTopIds[j * example.TopK]); // the toy teacher's top-1 is the token itself
        }
    }

    [Fact]
    public void A_long_prompt_loses_tokens_from_its_start_and_a_completion_that_cannot_fit_is_skipped()
    {
        var builder = new TraceExampleBuilder(LoaderTraces.Vocabulary, new TraceExampleOptions { MaxSequenceLength = 10 });
        var record = LoaderTraces.Row("0123456789", "12\n#### 3"); // 10 prompt + 10 completion tokens
        var example = Build(builder, record);
        Assert.Equal(10, example.Length);
        Assert.Equal(1, example.PromptLength);
        Assert.Equal(9, example.DroppedPromptTokens);
        Assert.Equal((int)'9', example.TokenIds[0]);
        Assert.Equal(record.CompletionTokenIds, example.TokenIds[1..]);
        Assert.Equal([1, 1, 2, 2, 2, 2, 2, 2, 2, 2], example.SpanKinds.Select(s => (int)s));

        Assert.Null(builder.Build(LoaderTraces.Row("Q", "12345678\n#### 3"), out var tooLong));
        Assert.Equal(TraceSkipReason.TooLong, tooLong);
        Assert.Null(builder.Build(LoaderTraces.Row("Q", "", endOfText: false), out var empty));
        Assert.Equal(TraceSkipReason.Empty, empty);
    }

    [Fact]
    public void Correct_traces_can_weigh_more()
    {
        var builder = new TraceExampleBuilder(LoaderTraces.Vocabulary, new TraceExampleOptions { CorrectWeight = 2.5f });
        Assert.Equal(2.5f, Build(builder, LoaderTraces.Row("Q", "#### 1", correct: true)).Weight);
        Assert.Equal(1f, Build(builder, LoaderTraces.Row("Q", "#### 1", correct: false)).Weight);
        Assert.Equal(1f, Build(builder, LoaderTraces.Row("Q", "#### 1", correct: null)).Weight);
        Assert.Equal(1f, Build(Builder, LoaderTraces.Row("Q", "#### 1", correct: true)).Weight);
    }

    [Fact]
    public void A_token_id_outside_the_student_vocabulary_is_refused_with_the_trace_key()
    {
        var record = LoaderTraces.Row("Q", "#### 1") with { PromptTokenIds = [1, 100_000] };
        var error = Assert.Throws<InvalidDataException>(() => Builder.Build(record, out _));
        Assert.Contains(record.Key, error.Message);
        Assert.Contains("100000", error.Message);
    }
}
