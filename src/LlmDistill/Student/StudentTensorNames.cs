namespace LlmDistill.Student;

/// <summary>
/// The one place where student parameter names meet GGUF tensor names. Module fields carry the GGUF names, except that
/// a block's attention and feed-forward parts are submodules: the parameter <c>blk.0.attn.q.weight</c> is the tensor
/// <c>blk.0.attn_q.weight</c>, <c>blk.0.ffn.gate.weight</c> is <c>blk.0.ffn_gate.weight</c>; all other names are equal.
/// </summary>
internal static class StudentTensorNames
{
    public static string ToGguf(string parameterName) =>
        parameterName.Replace(".attn.", ".attn_", StringComparison.Ordinal).Replace(".ffn.", ".ffn_", StringComparison.Ordinal);
}
