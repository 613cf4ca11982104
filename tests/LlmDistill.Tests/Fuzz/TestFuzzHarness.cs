using System.Diagnostics;
using LlmDistill.Fuzz;

namespace LlmDistill.Tests.Fuzz;

public class TestFuzzHarness
{
    [Fact]
    public void A_target_burning_CPU_past_the_limit_is_a_hang()
    {
        bool stop = false;
        try
        {
            var e = Assert.Throws<FuzzFindingException>(() => FuzzHarness.Check("spin", 3, () =>
            {
                var clock = Stopwatch.StartNew();
                while (!Volatile.Read(ref stop) && clock.Elapsed < TimeSpan.FromSeconds(60)) { }
                return true;
            }, TimeSpan.FromSeconds(0.5)));
            Assert.Equal("spin: a 3-byte input ran over 0.5 s of CPU time", e.Message);
        }
        finally { Volatile.Write(ref stop, true); }
    }

    [Fact]
    public void A_target_that_is_starved_of_CPU_is_not_a_hang_within_ten_times_the_limit()
    {
        // Waiting burns no CPU, as a target at nice 19 on a busy machine gets little: 1.5 s of wall time passes a 0.5 s limit.
        Assert.True(FuzzHarness.Check("wait", 3, () => { Thread.Sleep(1500); return true; }, TimeSpan.FromSeconds(0.5)));
        Assert.Throws<FuzzFindingException>(() => FuzzHarness.Check("wait", 3, () => { Thread.Sleep(3000); return true; }, TimeSpan.FromSeconds(0.2)));
    }

    [Fact]
    public void An_allocation_past_the_bound_is_a_finding_and_a_documented_result_passes()
    {
        var e = Assert.Throws<FuzzFindingException>(() => FuzzHarness.Check("big", 10, () => new byte[80 << 20].Length > 0, TimeSpan.FromSeconds(30)));
        Assert.Contains("allocated", e.Message);
        Assert.False(FuzzHarness.Check("small", 10, () => false, TimeSpan.FromSeconds(30)));
    }
}
