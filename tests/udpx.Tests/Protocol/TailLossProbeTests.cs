using Udpx.Protocol;
using Udpx.Tests.Support;
using Xunit.Abstractions;

namespace Udpx.Tests.Protocol;

/// <summary>
/// The tail loss probe (virtual clock): a window all in flight whose acknowledgement is lost hears nothing
/// more; a probe (its newest datagram again) draws the acknowledgement within two RTTs and the server's
/// acknowledgement delay, where the retransmission timer would have waited 10 ms and sent everything again.
/// </summary>
public sealed class TailLossProbeTests(ITestOutputHelper output)
{
    [Fact]
    public void Lost_acknowledgements_of_a_full_window_are_answered_by_one_probe_not_the_timer()
    {
        // 24 chunks on a 2 ms round trip: the first window (16) arrives at once, and both acknowledgements the
        // server sends for it are lost; the sender hears nothing more.
        const int LostAcks = 2;
        int dropped = 0;
        var toServer = new ScriptedChannel(1) { LatencyMicros = 1_000 };
        var toClient = new ScriptedChannel(2) { LatencyMicros = 1_000, DropIf = d => d[2] == (byte)MessageType.Ack && dropped++ < LostAcks };
        var sim = new Simulation(toServer, toClient);
        byte[] file = Simulation.RandomFile(24 * 1436, 7);

        var sender = sim.Run(file);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
        var counters = sim.Counters.Snapshot();
        output.WriteLine($"acknowledgements lost {toClient.Dropped}, probes {sender.TailProbes}, lost by timeout {sender.LossesByTimeout}, by order {sender.LossesByOrder}, server duplicates {sender.DuplicatesReported}, retransmitted {counters.Retransmitted}, finished at {sim.Clock.NowMicros / 1000.0:F1} ms");
        Assert.Equal(LostAcks, toClient.Dropped);
        // One probe, about 5 ms after the window went out; its duplicate draws the acknowledgement, the timer never
        // fires, and the probe is the only datagram sent twice. Without it the timer fired at 10 ms and sent four
        // datagrams that had arrived again (the transfer ended at 19.0 ms instead of 14.8).
        Assert.Equal(1, sender.TailProbes);
        Assert.Equal(0, sender.LossesByTimeout);
        Assert.Equal(1, counters.Retransmitted);
        Assert.Equal(1u, sender.DuplicatesReported);
    }
}
