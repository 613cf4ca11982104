using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Training;

static class BatchDevice
{
    /// <summary>The batch on <paramref name="device"/>: the same object when it is there already.</summary>
    public static DistillationBatch To(this DistillationBatch batch, Device device) => batch.InputIds.device_type == device.type && (device.index < 0 || batch.InputIds.device_index == device.index) ? batch : new(
        batch.InputIds.to(device), batch.TargetIds.to(device), batch.SpanKinds.to(device), batch.TeacherTopKIds.to(device),
        batch.TeacherTopKLogprobs.to(device), batch.TeacherTailMass.to(device), batch.TeacherPresent.to(device), batch.ExampleWeights.to(device)) { DivergenceOnly = batch.DivergenceOnly };

    public static void Dispose(this DistillationBatch batch)
    {
        foreach (var t in new[] { batch.InputIds, batch.TargetIds, batch.SpanKinds, batch.TeacherTopKIds, batch.TeacherTopKLogprobs, batch.TeacherTailMass, batch.TeacherPresent, batch.ExampleWeights })
            t.Dispose();
    }
}
