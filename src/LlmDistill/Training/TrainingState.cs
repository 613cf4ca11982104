using System.Text.Json.Nodes;

namespace LlmDistill.Training;

/// <summary>Where a run stands, saved in each checkpoint's extra JSON under <see cref="TrainingCheckpoint.StateKey"/>.</summary>
/// <param name="Step">Optimizer updates done.</param>
/// <param name="MicroBatches">Training micro-batches consumed.</param>
/// <param name="DataPosition">The data source's position after the last consumed micro-batch (null: the start).</param>
/// <param name="TotalSteps">Updates the run was planned for (the cosine decay ends there).</param>
/// <param name="TokensSeen">Input positions (B·T summed over micro-batches) processed so far.</param>
/// <param name="Options">The settings the run was made with.</param>
internal sealed record TrainingState(long Step, long MicroBatches, JsonNode? DataPosition, long TotalSteps, long TokensSeen, TrainerOptions Options);
