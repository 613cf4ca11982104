using LlmDistill.Student;

namespace LlmDistill.Tests.Student;

public class TestTeacherLayerSelection
{
    [Theory]
    [InlineData("all", 3, new[] { 0, 1, 2 })]
    [InlineData("every-other", 5, new[] { 0, 2, 4 })]
    [InlineData("every-other", 4, new[] { 0, 2 })]
    [InlineData("0,2,4,6", 8, new[] { 0, 2, 4, 6 })]
    [InlineData(" 3, 1 ", 4, new[] { 3, 1 })]
    public void Parses_named_selections_and_index_lists(string spec, int teacherBlocks, int[] expected) =>
        Assert.Equal(expected, TeacherLayerSelection.Parse(spec, teacherBlocks));

    [Theory]
    [InlineData("0,8", "Layer 8")]
    [InlineData("first-half", "not a layer selection")]
    [InlineData("1,-2", "not a layer selection")]
    public void Rejects_unknown_names_and_missing_blocks_saying_what_is_allowed(string spec, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => TeacherLayerSelection.Parse(spec, 8)).Message);
}
