using LlmDistill.Pipeline;
using LlmDistill.Student;
using LlmDistill.Training;
using LlmDistill.Training.Losses;

namespace LlmDistill.Tests.Pipeline;

public class TestStageStamp
{
    static TrainSettings Train(TrainerOptions trainer) => new()
    {
        Data = new() { TracesFolder = "traces" }, OutputFolder = "run", Trainer = trainer, Student = new() { Layers = LayerSelection.EveryOther },
    };

    [Fact]
    public void Every_option_that_changes_what_a_stage_computes_changes_its_key()
    {
        string key = StageStamp.Key(Train(new TrainerOptions()));
        Assert.Equal(key, StageStamp.Key(Train(new TrainerOptions())));
        Assert.NotEqual(key, StageStamp.Key(Train(new TrainerOptions { Loss = new() { Divergence = new Divergence.Reverse() } })));
        Assert.NotEqual(StageStamp.Key(Train(new TrainerOptions { Loss = new() { Divergence = new Divergence.Jsd(0.3) } })),
                        StageStamp.Key(Train(new TrainerOptions { Loss = new() { Divergence = new Divergence.Jsd(0.5) } })));
        Assert.NotEqual(key, StageStamp.Key(Train(new TrainerOptions { Device = ComputeDevice.Cuda(1) })));
        Assert.NotEqual(key, StageStamp.Key(Train(new TrainerOptions()) with { Student = new() { Layers = LayerSelection.Parse("0,2") } }));
    }
}
