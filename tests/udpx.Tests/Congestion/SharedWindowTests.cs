using Xunit.Abstractions;

namespace Udpx.Tests.Congestion;

/// <summary>
/// Many transfers on one shared controller, each woken only by its own datagrams and deadlines (issue 12,
/// "many transfers at once"): a transfer that finds the shared window full must not keep waking to look.
/// </summary>
public sealed class SharedWindowTests(ITestOutputHelper output)
{
    [Fact]
    public void Thirty_two_transfers_on_one_shared_window_finish_without_waking_for_nothing()
    {
        const int Transfers = 32;
        const long Size = 2 << 20;
        var bottleneck = new SharedBottleneck(200e6, 5_000);
        using var sim = new SharedWindowWakeups(bottleneck, 1_000);
        for (int i = 0; i < Transfers; i++)
        {
            sim.Add(Size);
        }
        sim.Run(120_000_000);

        double ideal = Transfers * Size / bottleneck.BytesPerSecond * 1_000_000;
        output.WriteLine($"stored {sim.Store.Stored.Count}, finished at {sim.FinishedAt / 1000.0:F0} ms (ideal {ideal / 1000:F0} ms), datagrams {sim.Datagrams}, empty wake-ups {sim.EmptyWakeups} (window full {sim.WindowFullWakeups}), in flight at the end {sim.Path.InFlight}");
        Assert.Equal(Transfers, sim.Store.Stored.Count);
        Assert.Equal(0, sim.Store.Mismatches);
        Assert.Equal(0, sim.Path.InFlight);
        Assert.True(sim.FinishedAt <= 2 * ideal, $"finished at {sim.FinishedAt} µs, ideal {ideal:F0} µs");
        // Every transfer waiting on the full window used to look again every quarter round trip, its own data in
        // flight or not: 5.1 empty wake-ups per datagram here (1.55 of them with the window full), 1.2 (0.41) since.
        Assert.True(sim.EmptyWakeups <= 2 * sim.Datagrams, $"{sim.EmptyWakeups} empty wake-ups for {sim.Datagrams} datagrams");
    }
}
