using LlmDistill.Training;
using LlmDistill.Training.Losses;

namespace LlmDistill.Tests.Training;

public class TestTemperatureSchedule
{
    [Fact]
    public void A_linear_schedule_moves_from_start_to_end_and_then_holds()
    {
        var schedule = new TemperatureSchedule(Start: 4, End: 1, Steps: 300);
        Assert.Equal(4.0, schedule.At(0));
        Assert.Equal(3.0, schedule.At(100), 12);
        Assert.Equal(1.0, schedule.At(300));
        Assert.Equal(1.0, schedule.At(10_000));
    }

    [Fact]
    public void A_schedule_overrides_the_fixed_temperature()
    {
        var options = new DistillationLossOptions { Temperature = 2, TemperatureSchedule = new TemperatureSchedule(3, 1, 10) };
        Assert.Equal(2.0, options.TemperatureAt(5), 12);
        Assert.Equal(2.0, (options with { TemperatureSchedule = null }).TemperatureAt(5));
    }

    [Fact]
    public void Invalid_values_are_refused_where_they_are_made_or_named_by_property_when_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureSchedule(0, 1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Divergence.Jsd(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TeacherEntropyWeighting(0));
        Assert.Equal("Alpha", Assert.Single(new DistillationLossOptions { Alpha = 1.5 }.Validate()).Property);
        Assert.Equal("Temperature", Assert.Single(new DistillationLossOptions { Temperature = 0 }.Validate()).Property);
        Assert.Equal("ChunkSize", Assert.Single(new DistillationLossOptions { ChunkSize = 0 }.Validate()).Property);
        Assert.Equal("Loss.Alpha", Assert.Single(new TrainerOptions { Loss = new() { Alpha = -1 } }.Validate()).Property);
        Assert.Empty(new DistillationLossOptions().Validate());
    }
}
