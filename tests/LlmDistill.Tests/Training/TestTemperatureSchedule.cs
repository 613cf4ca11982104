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
    public void Invalid_settings_are_refused_where_they_are_made()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemperatureSchedule(0, 1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistillationLossOptions { Alpha = 1.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistillationLossOptions { Temperature = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistillationLossOptions { ChunkSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Divergence.Jsd(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TeacherEntropyWeighting(0));
    }
}
