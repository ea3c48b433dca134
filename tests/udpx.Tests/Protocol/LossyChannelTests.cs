using Udpx.Engine;
using Udpx.Tests.Support;
using Xunit.Abstractions;

namespace Udpx.Tests.Protocol;

/// <summary>The protocol end to end over scripted lossy links, under a virtual clock.</summary>
public sealed class LossyChannelTests(ITestOutputHelper output)
{
    private const int FileSize = 3 * 1024 * 1024 + 777;
    private static readonly int ChunkSize = Udpx.Protocol.Wire.ChunkSizeFor(1472);

    [Theory]
    [InlineData(0.00, 1)]
    [InlineData(0.10, 2)]
    [InlineData(0.30, 3)]
    public void Random_loss_in_both_directions_ends_in_an_identical_file(double loss, int seed)
    {
        var sim = new Simulation(new ScriptedChannel(seed) { Loss = loss }, new ScriptedChannel(seed + 100) { Loss = loss });
        byte[] file = Simulation.RandomFile(FileSize, seed);

        var sender = sim.Run(file);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
        Assert.Equal(1, sim.Store.CheckedCommits); // the digest computed while receiving, gaps and all, is that of the bytes written
        var counters = sim.Counters.Snapshot();
        long chunks = (FileSize + ChunkSize - 1) / ChunkSize;
        output.WriteLine($"loss {loss:P0}: sent {counters.DatagramsSent}, retransmitted {counters.Retransmitted}, data dropped {sim.ToServer.Dropped}, acks dropped {sim.ToClient.Dropped}, virtual time {sim.Clock.NowMicros / 1000} ms");
        if (loss == 0)
        {
            Assert.Equal(0, counters.Retransmitted);
        }
        // Each retransmission answers a real loss (of the data or of every acknowledgement covering it),
        // never a cascade: bounded by a small multiple of what the link dropped.
        Assert.True(counters.Retransmitted <= (2 * sim.ToServer.Dropped) + (chunks * loss * loss * 4) + 64,
            $"retransmitted {counters.Retransmitted} for {sim.ToServer.Dropped} drops");
    }

    [Fact]
    public void Duplication_reordering_and_corruption_end_in_an_identical_file()
    {
        var toServer = new ScriptedChannel(7) { Duplicate = 0.05, Reorder = 0.10, Corrupt = 0.01 };
        var toClient = new ScriptedChannel(8) { Duplicate = 0.05, Reorder = 0.10, Corrupt = 0.01 };
        var sim = new Simulation(toServer, toClient);
        byte[] file = Simulation.RandomFile(FileSize, 7);

        var sender = sim.Run(file);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
        Assert.True(toServer.Corrupted > 0 && toServer.Duplicated > 0 && toServer.Reordered > 0);
        Assert.Equal(toServer.Corrupted, sim.Server.Stats.BadChecksum);
        var counters = sim.Counters.Snapshot();
        output.WriteLine($"retransmitted {counters.Retransmitted} for {toServer.Corrupted} corrupted, {toServer.Reordered} reordered; by order {sender.LossesByOrder}, by timeout {sender.LossesByTimeout}, srtt {sender.Rtt.SmoothedMicros} rto {sender.Rtt.RtoMicros}");
        Assert.True(counters.Retransmitted <= (3 * toServer.Corrupted) + (toServer.Reordered / 2) + 64);
    }

    [Fact]
    public void Delay_jitter_that_reorders_does_not_cause_a_storm_of_needless_retransmissions()
    {
        // 20 ms ± 10 ms each way, every datagram on its own: heavy reordering, no loss at all.
        var toServer = new ScriptedChannel(61) { LatencyMicros = 10_000, JitterMicros = 20_000 };
        var toClient = new ScriptedChannel(62) { LatencyMicros = 10_000, JitterMicros = 20_000 };
        var sim = new Simulation(toServer, toClient);
        byte[] file = Simulation.RandomFile(FileSize, 61);

        var sender = sim.Run(file);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        var counters = sim.Counters.Snapshot();
        output.WriteLine($"jitter: retransmitted {counters.Retransmitted} of {counters.DatagramsSent} (by order {sender.LossesByOrder}, by timeout {sender.LossesByTimeout}, rto {sender.Rtt.RtoMicros}, srtt {sender.Rtt.SmoothedMicros}, var {sender.Rtt.VarianceMicros}), time {sim.Clock.NowMicros / 1000} ms");
        Assert.True(counters.Retransmitted < counters.DatagramsSent / 10, $"retransmitted {counters.Retransmitted} of {counters.DatagramsSent}");
    }

    [Fact]
    public void The_last_datagrams_lost_are_recovered_by_timeout()
    {
        byte[] file = Simulation.RandomFile(100 * ChunkSize, 11);
        // Datagrams 0 and 1 are Hello and Offer; data chunks 95..99 are numbers 97..101.
        var toServer = new ScriptedChannel(11) { DropScript = [97, 98, 99, 100, 101] };
        var sim = new Simulation(toServer, new ScriptedChannel(12));

        var sender = sim.Run(file);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
        Assert.Equal(5, sim.Counters.Snapshot().Retransmitted);
    }

    [Fact]
    public void A_full_bottleneck_makes_the_sender_back_off_instead_of_flooding_it()
    {
        // 10 MB/s bottleneck with a 20 ms drop-tail queue: a blind sender would lose most of what it sends.
        var toServer = new ScriptedChannel(21) { BottleneckBytesPerMicro = 10, QueueLimitMicros = 20_000, LatencyMicros = 10_000 };
        var sim = new Simulation(toServer, new ScriptedChannel(22) { LatencyMicros = 10_000 });
        byte[] file = Simulation.RandomFile(8 * 1024 * 1024, 21);

        var sender = sim.Run(file);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        var counters = sim.Counters.Snapshot();
        output.WriteLine(string.Join(" ", toServer.QueueDropTimes.GroupBy(t => t / 20_000).Select(g => $"{g.Key * 20}ms:{g.Count()}")));
        output.WriteLine($"queue drops {toServer.QueueDrops}, retransmitted {counters.Retransmitted} of {counters.DatagramsSent}, window {sender.CongestionWindow}, time {sim.Clock.NowMicros / 1000} ms");
        Assert.True(counters.Retransmitted < counters.DatagramsSent / 10, "more than 10% of the datagrams were retransmissions");
        // 8 MiB at 10 MB/s takes 0.84 s at best; it must not take more than twice that.
        Assert.True(sim.Clock.NowMicros < 1_700_000, $"virtual time {sim.Clock.NowMicros} µs");
    }

    [Fact]
    public void Random_loss_does_not_collapse_throughput()
    {
        // 10% random loss on a 50 MB/s path: the window must keep the path busy.
        var toServer = new ScriptedChannel(31) { Loss = 0.10, BottleneckBytesPerMicro = 50, QueueLimitMicros = 20_000, LatencyMicros = 5_000 };
        var sim = new Simulation(toServer, new ScriptedChannel(32) { LatencyMicros = 5_000 });
        byte[] file = Simulation.RandomFile(16 * 1024 * 1024, 31);

        var sender = sim.Run(file);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        double seconds = sim.Clock.NowMicros / 1e6;
        double ideal = file.Length / 50e6 / 0.9;
        output.WriteLine($"{seconds:F3} s virtual, ideal {ideal:F3} s, retransmitted {sim.Counters.Snapshot().Retransmitted}");
        Assert.True(seconds < ideal * 2, $"took {seconds:F3} s of virtual time, ideal {ideal:F3} s");
    }

    [Fact]
    public void A_server_restarted_mid_transfer_makes_the_client_start_over_cleanly()
    {
        var sim = new Simulation(new ScriptedChannel(41), new ScriptedChannel(42)) { RestartServerAfter = 1000 };
        byte[] file = Simulation.RandomFile(FileSize, 41);

        var sender = sim.Run(file);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(1, sender.Restarts);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
    }

    [Fact]
    public void A_file_over_4_GiB_crosses_with_64_bit_offsets_and_chunk_indexes()
    {
        long size = (4L << 30) + 123_457; // past 2^32 bytes, ending in a partial chunk
        var pattern = new PatternFile(size);
        var store = new PatternCheckingStore(pattern);
        var sim = new Simulation(new ScriptedChannel(51) { Loss = 0.01 }, new ScriptedChannel(52), store: store);
        var plan = new TransferPlan(77, "huge.bin", size, Udpx.Protocol.Wire.MaxDatagramSize);
        var sender = new SenderProtocol(plan, pattern, new SenderOptions(), sim.Counters);

        sim.Run(sender, Udpx.Protocol.Wire.MaxDatagramSize, limitMicros: 3_600_000_000);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.True(store.Committed);
        Assert.Equal(0, store.Mismatches);
        Assert.Equal(size, store.HighestEnd);
        Assert.Equal(size, store.BytesWritten);
    }

    [Fact]
    public void An_empty_file_is_transferred()
    {
        var sim = new Simulation(new ScriptedChannel(1), new ScriptedChannel(2));
        var sender = sim.Run([], "empty");
        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Empty(sim.Store.Committed["empty"]);
    }

    [Fact]
    public void A_server_that_never_answers_fails_within_the_connect_timeout()
    {
        var sim = new Simulation(new ScriptedChannel(1) { Loss = 1.0 }, new ScriptedChannel(2));
        var sender = sim.Run(Simulation.RandomFile(1000, 1), options: new SenderOptions { ConnectTimeout = TimeSpan.FromSeconds(3) });
        Assert.False(sender.Outcome.Verified);
        Assert.Contains("no answer", sender.Outcome.Message, StringComparison.Ordinal);
        Assert.InRange(sim.Clock.NowMicros, 3_000_000, 3_100_000);
    }
}
