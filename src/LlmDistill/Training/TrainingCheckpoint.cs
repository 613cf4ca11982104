using LlmDistill.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmDistill.Student;
using LlmDistill.Tokenization;
using static TorchSharp.torch;

namespace LlmDistill.Training;

/// <summary>
/// A resumable training checkpoint: a <see cref="StudentCheckpoint"/> folder (model.gguf, checkpoint.json with the
/// <see cref="TrainingState"/> in its extra JSON) plus <c>optimizer.bin</c> (AdamW moments and step counts, TorchSharp's
/// optimizer format) and <c>rng.bin</c> (torch's CPU generator state). All four files are written into a staging folder
/// that then replaces the old checkpoint by renames, so a crash leaves the old checkpoint or the new one.
/// </summary>
internal static class TrainingCheckpoint
{
    public const string StateKey = "training";
    public const string OptimizerFile = "optimizer.bin";
    public const string RngFile = "rng.bin";

    public static void Save(string folder, StudentModel model, TokenizerVocabulary vocabulary, optim.Optimizer optimizer, TrainingState state)
    {
        string target = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        string staging = $"{target}.staging-{Guid.NewGuid():N}";
        try
        {
            var extra = new JsonObject { [StateKey] = JsonSerializer.SerializeToNode(state, TrainingOptionsJson.Json) };
            StudentCheckpoint.Save(staging, model, vocabulary, extra);
            using (var writer = new BinaryWriter(File.Create(Path.Combine(staging, OptimizerFile))))
                ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
            using (var rng = random.get_rng_state())
                File.WriteAllBytes(Path.Combine(staging, RngFile), rng.data<byte>().ToArray());
            FolderSwap.Replace(staging, target);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>True when <paramref name="folder"/> holds a complete training checkpoint.</summary>
    public static bool Exists(string folder) =>
        File.Exists(Path.Combine(folder, StudentCheckpoint.ManifestFile)) && File.Exists(Path.Combine(folder, OptimizerFile));

    /// <summary>The student and the run's state; restore the optimizer and generator with <see cref="Restore"/>.</summary>
    public static (StudentCheckpoint Student, TrainingState State) Load(string folder)
    {
        var student = StudentCheckpoint.Load(folder);
        var node = student.Extra[StateKey]
            ?? throw new InvalidDataException($"{folder} is a student checkpoint without training state; it can initialise a run (as the student to start from: {Path.Combine(folder, StudentCheckpoint.WeightsFile)}) but not resume one.");
        var state = node.Deserialize<TrainingState>(TrainingOptionsJson.Json) ?? throw new InvalidDataException($"{folder}: training state is null.");
        return (student, state);
    }

    /// <summary>Loads optimizer moments into <paramref name="optimizer"/> (built over the loaded student) and sets torch's generator.</summary>
    public static void Restore(string folder, optim.Optimizer optimizer)
    {
        using (var reader = new BinaryReader(File.OpenRead(Path.Combine(folder, OptimizerFile))))
            ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(reader);
        using var rng = tensor(File.ReadAllBytes(Path.Combine(folder, RngFile)), ScalarType.Byte);
        random.set_rng_state(rng);
    }
}
