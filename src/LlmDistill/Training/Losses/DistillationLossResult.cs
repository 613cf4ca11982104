using static TorchSharp.torch;

namespace LlmDistill.Training.Losses;

/// <summary>
/// What <see cref="DistillationLoss"/> returns. <see cref="Loss"/> carries the graph for backward; the other tensors
/// are detached 0-d values for logging (read them with <c>.item&lt;T&gt;()</c> only when logging, as each read syncs).
/// All are created in the caller's dispose scope.
/// </summary>
/// <param name="Loss">α·T²·KL + (1 − α)·NLL, a 0-d tensor to call backward on.</param>
/// <param name="Kl">Weighted mean divergence per teacher position at <see cref="Temperature"/>, before the T² factor.</param>
/// <param name="NllRationale">Example-weighted mean −log q(y) over rationale tokens (0 when there are none).</param>
/// <param name="NllAnswer">Example-weighted mean −log q(y) over answer tokens (0 when there are none).</param>
/// <param name="Tokens">Number of rationale and answer positions (int64).</param>
/// <param name="TeacherPositions">Number of positions that entered the KL term (int64).</param>
/// <param name="Temperature">The temperature used, from the options and step.</param>
internal sealed record DistillationLossResult(
    Tensor Loss,
    Tensor Kl,
    Tensor NllRationale,
    Tensor NllAnswer,
    Tensor Tokens,
    Tensor TeacherPositions,
    double Temperature);
