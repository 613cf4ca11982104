using static TorchSharp.torch;

namespace LlmDistill.Training.Losses;

/// <summary>
/// The distillation objective L = α·T²·KL + (1 − α)·NLL (see <see cref="DistillationLossOptions"/>): KL between the
/// teacher's and the student's coarsened distributions (<see cref="CoarsenedDistribution"/>) plus the rationale and
/// answer likelihood, each a per-token weighted mean.
/// </summary>
internal static class DistillationLoss
{
    /// <summary>
    /// The loss from the student's final hidden states and output projection, never forming all N × V logits.
    /// Rows are processed <see cref="DistillationLossOptions.ChunkSize"/> at a time; when a gradient is wanted
    /// (grad mode on and <paramref name="hidden"/> or <paramref name="outputWeight"/> requiring grad) each chunk's
    /// logits are built on detached copies and differentiated right away (autograd for the terms, by hand through the
    /// matmul and log_softmax, in one reused chunk × V buffer), and the gradients accumulated in place: ∂L/∂hidden
    /// (M × C) and ∂L/∂W (V × C). No vocabulary-sized tensor is allocated per chunk, and with a
    /// <paramref name="workspace"/> none per call either. The returned loss is then attached to the caller's graph by a
    /// term whose value is exactly 0 and whose gradient is those accumulated gradients, so <c>loss.backward()</c> works
    /// as usual. Vocabulary-sized memory: one chunk × V buffer and the V × C weight gradient, independent of N. Only
    /// first derivatives are available.
    /// </summary>
    /// <param name="hidden">(N, C) or (B, T, C), N = B·T: the student's final hidden states (after the final norm)</param>
    /// <param name="outputWeight">(V, C): the output projection (logits = hidden · Wᵀ)</param>
    /// <param name="step">optimizer step, for <see cref="DistillationLossOptions.TemperatureSchedule"/></param>
    /// <param name="workspace">scratch tensors to reuse across calls (a trainer keeps one); null = allocate per call</param>
    public static DistillationLossResult Compute(Tensor hidden, Tensor outputWeight, DistillationBatch batch, DistillationLossOptions options, long step = 0, DistillationWorkspace? workspace = null)
    {
        long channels = hidden.shape[^1];
        if (outputWeight.dim() != 2 || outputWeight.shape[1] != channels)
            throw new ArgumentException($"outputWeight must be (V, {channels}), got [{string.Join(", ", outputWeight.shape)}]");
        long positions = hidden.numel() / channels;
        if (positions != batch.BatchSize * batch.SequenceLength)
            throw new ArgumentException($"hidden has {positions} positions, the batch {batch.BatchSize}×{batch.SequenceLength}");

        double temperature = options.TemperatureAt(step);
        var type = ComputeType(hidden.dtype);
        using var scope = NewDisposeScope();
        var flat = hidden.reshape(-1, channels);                                           // (N, C)
        var rows = LossRows.From(batch, options, temperature, type, hidden.device);
        var rowHidden = flat.index_select(0, rows.Positions);                              // (M, C), on the caller's graph
        bool wantsGradient = is_grad_enabled() && (hidden.requires_grad || outputWeight.requires_grad);

        var accumulated = new Accumulated(type, hidden.device);
        bool hiddenGradientWanted = wantsGradient && hidden.requires_grad;
        bool weightGradientWanted = wantsGradient && outputWeight.requires_grad && rows.Count > 0;
        var weight = outputWeight.detach().to(type);                                        // (V, C)
        long vocabulary = weight.shape[0];
        var hiddenGradient = hiddenGradientWanted ? empty(rows.Count, channels, type, hidden.device) : null; // (M, C)
        var weightGradient = !weightGradientWanted ? null
            : workspace?.WeightGradient(vocabulary, channels, type, hidden.device) ?? empty(vocabulary, channels, type, hidden.device); // (V, C)
        // One (chunk, V) buffer serves every chunk: logits, then log-probabilities, then their gradient, in place.
        var buffer = workspace?.Chunk(options.ChunkSize, vocabulary, type, hidden.device)
            ?? empty(Math.Min(options.ChunkSize, Math.Max(1, rows.Count)), vocabulary, type, hidden.device);
        for (long start = 0; start < rows.Count; start += options.ChunkSize)
        {
            using var chunkScope = NewDisposeScope();
            long length = Math.Min(options.ChunkSize, rows.Count - start);
            using var noGrad = no_grad();
            var chunkRows = rows.Slice(start, length);
            var chunkHidden = rowHidden.detach().narrow(0, start, length).to(type);          // (m, C)
            var logProbs = buffer.narrow(0, 0, length);                                     // (m, V)
            logProbs.addmm_(chunkHidden, weight.t(), beta: 0);                              // logits
            logProbs.sub_(logProbs.logsumexp(-1, keepdim: true));                           // log_softmax, in place
            var (topK, target) = ChunkTerms.Gather(logProbs, chunkRows);                    // (m, K), (m): all the terms read
            if (!wantsGradient)
            {
                accumulated.Add(ChunkTerms.Of(topK, target, chunkRows, options, temperature));
                continue;
            }
            ChunkTerms terms;
            using (enable_grad())
            {
                topK.requires_grad_(true);
                target.requires_grad_(true);
                terms = ChunkTerms.Of(topK, target, chunkRows, options, temperature);
                terms.Loss.backward();
            }
            accumulated.Add(terms);
            // ∂terms/∂logits by hand, over the buffer: g − softmax · Σ_v g, where g (the gradient at the log-probabilities)
            // is zero except at the gathered ids: softmax · (−Σ g) everywhere, then g added at those ids.
            var topKGradient = topK.grad!;                                                  // (m, K)
            var targetGradient = target.grad!.unsqueeze(-1);                                // (m, 1)
            var logitsGradient = logProbs.exp_().mul_((topKGradient.sum(-1, keepdim: true) + targetGradient).neg_()) // (m, V)
                .scatter_add_(-1, chunkRows.TopKIds, topKGradient)
                .scatter_add_(-1, chunkRows.TargetIds.unsqueeze(-1), targetGradient);
            hiddenGradient?.narrow(0, start, length).addmm_(logitsGradient, weight, beta: 0);   // (m, C) = (m, V)·(V, C)
            weightGradient?.addmm_(logitsGradient.t(), chunkHidden, beta: start == 0 ? 0 : 1); // (V, C) += (V, m)·(m, C)
        }

        var loss = accumulated.Loss;
        if (wantsGradient)
        {
            // Dot products, not elementwise products, so no (V, C) temporary is formed on the way forward.
            var surrogate = zeros(1, type, hidden.device).sum();
            if (hiddenGradient is not null) surrogate = surrogate + rowHidden.reshape(-1).dot(hiddenGradient.to(hidden.dtype).reshape(-1)).to(type);
            if (weightGradient is not null)
                surrogate = surrogate + outputWeight.reshape(-1).dot(weightGradient.to(outputWeight.dtype).reshape(-1)).to(type);
            loss = loss + (surrogate - surrogate.detach());                                  // value + 0, gradient = accumulated
        }
        return Result(loss, accumulated, rows, temperature);
    }

    /// <summary>
    /// The same loss from full logits, with plain autograd: simple, for tests and small vocabularies
    /// (it holds log_softmax over all N × V logits).
    /// </summary>
    /// <param name="logits">(N, V) or (B, T, V)</param>
    public static DistillationLossResult ComputeFromLogits(Tensor logits, DistillationBatch batch, DistillationLossOptions options, long step = 0)
    {
        double temperature = options.TemperatureAt(step);
        var type = ComputeType(logits.dtype);
        using var scope = NewDisposeScope();
        var rows = LossRows.From(batch, options, temperature, type, logits.device);
        var logProbs = logits.reshape(-1, logits.shape[^1]).index_select(0, rows.Positions).to(type).log_softmax(-1); // (M, V)
        var accumulated = new Accumulated(type, logits.device);
        var terms = ChunkTerms.Of(logProbs, rows, options, temperature);
        accumulated.Add(terms);
        return Result(terms.Loss, accumulated, rows, temperature);
    }

    /// <summary>float64 stays float64 (gradient checks); everything else is computed in float32, as log_softmax over a
    /// large vocabulary in half precision loses the tail.</summary>
    static ScalarType ComputeType(ScalarType type) => type == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    static DistillationLossResult Result(Tensor loss, Accumulated accumulated, LossRows rows, double temperature) => new(
        loss.MoveToOuterDisposeScope(),
        accumulated.Kl.MoveToOuterDisposeScope(),
        accumulated.NllRationale.MoveToOuterDisposeScope(),
        accumulated.NllAnswer.MoveToOuterDisposeScope(),
        tensor(rows.Count).MoveToOuterDisposeScope(),
        rows.TeacherPositions.MoveToOuterDisposeScope(),
        temperature);

    /// <summary>Detached running sums of the chunks' <see cref="ChunkTerms"/>, as 0-d tensors updated in place.</summary>
    sealed class Accumulated(ScalarType type, Device device)
    {
        public Tensor Loss { get; } = zeros([], type, device);
        public Tensor Kl { get; } = zeros([], type, device);
        public Tensor NllRationale { get; } = zeros([], type, device);
        public Tensor NllAnswer { get; } = zeros([], type, device);

        public void Add(ChunkTerms terms)
        {
            Loss.add_(terms.Loss.detach());
            Kl.add_(terms.Kl.detach());
            NllRationale.add_(terms.NllRationale.detach());
            NllAnswer.add_(terms.NllAnswer.detach());
        }
    }
}
