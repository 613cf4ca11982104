using System.Globalization;

namespace LlmDistill.Student;

/// <summary>Which teacher blocks a student starts from, written as on the command line.</summary>
internal static class TeacherLayerSelection
{
    /// <summary>
    /// <c>all</c>; <c>every-other</c> (0, 2, 4, …); or a comma list of block indices (<c>0,2,4,6</c>), in the order the
    /// student stacks them. Indices must exist in a teacher of <paramref name="teacherBlocks"/> blocks.
    /// </summary>
    public static int[] Parse(string spec, int teacherBlocks)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        int[] layers = spec.Trim() switch
        {
            "all" => Enumerable.Range(0, teacherBlocks).ToArray(),
            "every-other" => Enumerable.Range(0, (teacherBlocks + 1) / 2).Select(i => 2 * i).ToArray(),
            var list => list.Split(',', StringSplitOptions.TrimEntries).Select(ParseIndex).ToArray(),
        };
        if (layers.FirstOrDefault(i => i < 0 || i >= teacherBlocks, -1) is var bad && bad != -1)
            throw new ArgumentException($"Layer {bad} in '{spec}' does not exist: the teacher has blocks 0..{teacherBlocks - 1}.");
        return layers;

        int ParseIndex(string item) => int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            ? i
            : throw new ArgumentException($"'{spec}' is not a layer selection: use all, every-other or block indices like 0,2,4,6.");
    }
}
