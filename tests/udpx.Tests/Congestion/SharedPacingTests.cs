using Xunit.Abstractions;

namespace Udpx.Tests.Congestion;

/// <summary>
/// Transfers sharing one controller wake at the pacer's same ready time (thread-async: many files at once to one
/// server). The pacer's tokens are the path's, not each transfer's, so waking together must not make them burst:
/// docs/protocol.md's bound on back-to-back datagrams holds for all of them together.
/// </summary>
public sealed class SharedPacingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(8, 200e6)]
    [InlineData(32, 50e6)]
    public void Transfers_that_wake_together_leave_no_more_back_to_back_than_one_would(int transfers, double rate)
    {
        var bottleneck = new SharedBottleneck(rate, 5_000);
        using var sim = new SharedWindowWakeups(bottleneck, 1_000);
        for (int i = 0; i < transfers; i++)
        {
            sim.Add(1 << 20);
        }
        sim.Run(120_000_000);

        output.WriteLine($"{transfers} transfers: worst microsecond {sim.WorstBurstDatagrams} datagrams, {sim.WorstBurstOverBound:F2} of the bound; datagrams {sim.Datagrams}, empty wake-ups {sim.EmptyWakeups}, finished at {sim.FinishedAt / 1000.0:F0} ms");
        Assert.Equal(transfers, sim.Store.Stored.Count);
        Assert.True(sim.WorstBurstDatagrams >= 2, "nothing left back to back: the test shows nothing");
        Assert.True(sim.WorstBurstOverBound <= 1.0, $"{sim.WorstBurstOverBound:F2} times the bound left in one microsecond");
    }
}
