using Udpx.Tests.Support;
using Xunit.Abstractions;

namespace Udpx.Tests.Protocol;

/// <summary>
/// RACK's reordering window (virtual clock): it widens when a loss verdict by order proves premature, and
/// not when the path merely duplicates datagrams, though both raise the server's duplicate count.
/// </summary>
public sealed class ReorderWindowTests(ITestOutputHelper output)
{
    private const int FileSize = 8 * 1024 * 1024;

    [Theory]
    [InlineData(71)]
    [InlineData(72)]
    [InlineData(73)]
    public void A_reordering_path_widens_the_window_and_premature_retransmissions_fall_after(int seed)
    {
        // 5% of the data held back 1-15 ms on a 10 ms round trip: at a quarter of the RTT most of those are
        // judged lost before they arrive, and their retransmissions were premature.
        var toServer = new ScriptedChannel(seed) { Reorder = 0.05, BottleneckBytesPerMicro = 20, LatencyMicros = 5_000 };
        var sim = new Simulation(toServer, new ScriptedChannel(seed + 100) { LatencyMicros = 5_000 });
        byte[] file = Simulation.RandomFile(FileSize, seed);
        var plan = new Udpx.Engine.TransferPlan(0x1234_5678_9abc_def0, "file.bin", file.Length, 1472);
        sim.Store.ChunkSize = plan.ChunkSize;
        var sender = new Udpx.Engine.SenderProtocol(plan, new Udpx.Engine.MemoryChunkSource(file), new Udpx.Engine.SenderOptions(), sim.Counters);

        // The first tenth of the transfer's time (it takes about 0.45 s), then the rest.
        sim.Run(sender, 1472, limitMicros: 200_000);
        long earlyPremature = sender.PrematureLosses;
        long earlySent = sim.Counters.Snapshot().DatagramsSent;
        int earlyMultiple = sender.ReorderMultiple;
        sim.Continue(sender, limitMicros: 600_000_000);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
        var counters = sim.Counters.Snapshot();
        long latePremature = sender.PrematureLosses - earlyPremature;
        long lateSent = counters.DatagramsSent - earlySent;
        output.WriteLine($"first 200 ms: {earlyPremature} premature in {earlySent} sent, window x{earlyMultiple}; after: {latePremature} in {lateSent}, window x{sender.ReorderMultiple} ({sender.ReorderWidenings} widenings); reordered {toServer.Reordered}, server duplicates {sender.DuplicatesReported}, retransmitted {counters.Retransmitted}, by order {sender.LossesByOrder}, timeout {sender.LossesByTimeout}, qdrops {toServer.QueueDrops}, virtual {sim.Clock.NowMicros / 1000} ms");
        Assert.True(earlyPremature > 0, "the path made no verdict premature: the test shows nothing");
        Assert.True(sender.ReorderWidenings > 0 && sender.ReorderMultiple > 1, "the window never widened");
        // After widening, premature verdicts are rarer per datagram sent by far than before it.
        Assert.True(latePremature * earlySent * 4 < earlyPremature * lateSent,
            $"premature: {earlyPremature} of {earlySent} early, {latePremature} of {lateSent} late");
    }

    [Theory]
    [InlineData(81)]
    [InlineData(82)]
    public void A_path_that_duplicates_without_reordering_leaves_the_window_as_it_is(int seed)
    {
        // 5% duplicated both ways, and 2% lost so that there are verdicts by order and retransmissions,
        // some of them duplicated too: the server counts hundreds of duplicates, none a premature retransmission.
        var toServer = new ScriptedChannel(seed) { Duplicate = 0.05, Loss = 0.02, BottleneckBytesPerMicro = 20, LatencyMicros = 5_000 };
        var toClient = new ScriptedChannel(seed + 100) { Duplicate = 0.05, Loss = 0.02, LatencyMicros = 5_000 };
        var sim = new Simulation(toServer, toClient);
        byte[] file = Simulation.RandomFile(FileSize, seed);

        var sender = sim.Run(file);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
        var counters = sim.Counters.Snapshot();
        output.WriteLine($"duplicated {toServer.Duplicated}, server duplicates {sender.DuplicatesReported}, lost by order {sender.LossesByOrder}, retransmitted {counters.Retransmitted}, premature {sender.PrematureLosses}, timeouts {sender.LossesByTimeout}, qdrops {toServer.QueueDrops}, window x{sender.ReorderMultiple}, virtual {sim.Clock.NowMicros / 1000} ms");
        Assert.True(sender.DuplicatesReported > 100 && sender.LossesByOrder > 100, "the path did not duplicate and lose enough to show anything");
        Assert.Equal(0, sender.PrematureLosses);
        Assert.Equal(0, sender.ReorderWidenings);
        Assert.Equal(1, sender.ReorderMultiple);
    }
}
