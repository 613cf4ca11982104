namespace LlmDistill.Student;

/// <summary>
/// Which teacher blocks a student starts from: <c>all</c>, <c>every-other</c> (0, 2, 4, …) or block indices in the
/// order the student stacks them (<c>0,2,4,6</c>). The text is checked here; the indices against a teacher in <see cref="Blocks"/>.
/// </summary>
public sealed record LayerSelection
{
    LayerSelection(string text) => Text = text;

    public static LayerSelection All { get; } = new("all");
    public static LayerSelection EveryOther { get; } = new("every-other");

    /// <summary>The selection as written (<c>every-other</c>, <c>0,2,4</c>).</summary>
    public string Text { get; }

    public static LayerSelection Parse(string text)
    {
        string t = text.Trim();
        if (t == All.Text) return All;
        if (t == EveryOther.Text) return EveryOther;
        TeacherLayerSelection.Parse(t, int.MaxValue); // the syntax; block numbers are checked against a teacher later
        return new LayerSelection(t);
    }

    /// <summary>The block indices in a teacher of <paramref name="teacherBlocks"/> blocks.</summary>
    public int[] Blocks(int teacherBlocks) => TeacherLayerSelection.Parse(Text, teacherBlocks);

    public override string ToString() => Text;
}
