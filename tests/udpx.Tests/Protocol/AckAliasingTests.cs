using System.Buffers.Binary;
using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Tests.Support;
using Xunit.Abstractions;

namespace Udpx.Tests.Protocol;

/// <summary>
/// Acknowledgements that arrive late, twice or out of order over a window of 8192 chunks, where the
/// sender's ring slots are reused many times over: the case that hung version 2 for good (a stale Ack's
/// bitmap credited chunk c + 8192, which the server never had).
/// </summary>
public sealed class AckAliasingTests(ITestOutputHelper output)
{
    private const int FileSize = (24 << 20) + 333; // about 17,500 chunks: every slot is reused twice
    private static readonly int ChunkSize = Wire.ChunkSizeFor(Wire.EthernetDatagramSize);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Late_duplicated_and_reordered_acks_over_a_full_window_end_in_an_identical_file(int seed)
    {
        var sim = AliasingPath(seed);
        byte[] file = Simulation.RandomFile(FileSize, seed);

        var sender = sim.Run(file, options: new SenderOptions { IdleTimeout = TimeSpan.FromSeconds(15) });

        Report(sim, sender);
        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
        Assert.True(sim.ToClient.Duplicated > 20 && sim.ToClient.Reordered > 100, "the path must really duplicate and reorder acknowledgements");
        Assert.True(sender.StaleAcks > 0, "late acknowledgements must have reached the sender");
    }

    /// <summary>
    /// A middlebox that numbers acknowledgements in the order they reach the client defeats the freshness
    /// rule: every stale Ack looks new. The slot-ownership rule alone must still keep the file whole.
    /// </summary>
    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Acks_renumbered_on_arrival_never_credit_a_chunk_that_does_not_own_its_slot(int seed)
    {
        var sim = AliasingPath(seed);
        ulong delivered = 0;
        sim.RewriteToClient = bytes =>
        {
            if (bytes[2] == (byte)MessageType.Ack && Checksum.IsValid(bytes))
            {
                BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(Wire.PacketNumberOffset), 1_000_000 + ++delivered);
                Checksum.Seal(bytes);
            }
            return bytes;
        };
        byte[] file = Simulation.RandomFile(FileSize, seed);

        var sender = sim.Run(file, options: new SenderOptions { IdleTimeout = TimeSpan.FromSeconds(15) });

        Report(sim, sender);
        Assert.Equal(0, sender.StaleAcks); // every Ack looked fresh: only the slot rule stood between us and the hang
        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
    }

    [Fact]
    public void A_late_ack_changes_neither_the_rtt_estimate_nor_what_is_acknowledged()
    {
        byte[] file = Simulation.RandomFile(200 * ChunkSize, 9);
        var sender = HandDrivenSender.Accepted(0x77, file, new SenderOptions(), out _);
        byte[] buffer = new byte[Wire.EthernetDatagramSize];
        while (sender.TryWriteNext(buffer, 20_000) > 0)
        {
        }

        // Ack 2 says chunks 0..9 arrived; ack 3 says 0..19. Ack 2 then turns up again, 2 s late.
        byte[] early = Ack(2, cumulative: 10, echo: 20_000);
        byte[] later = Ack(3, cumulative: 20, echo: 20_000);
        sender.OnDatagram(early, 30_000);
        sender.OnDatagram(later, 30_000);
        long smoothed = sender.Rtt.SmoothedMicros;
        long variance = sender.Rtt.VarianceMicros;
        sender.OnDatagram(early, 2_030_000);

        Assert.Equal(1, sender.StaleAcks);
        Assert.Equal(smoothed, sender.Rtt.SmoothedMicros);
        Assert.Equal(variance, sender.Rtt.VarianceMicros);
    }

    private static byte[] Ack(ulong packetNumber, ulong cumulative, uint echo)
    {
        byte[] bytes = new byte[Wire.AckFixedSize];
        int n = MessageCodec.WriteAck(bytes, 0x77, packetNumber, cumulative + 1, cumulative, echo, 0, []);
        return bytes[..n];
    }

    /// <summary>Data with a little loss (so bitmaps carry gaps), acknowledgements duplicated, late and reordered.</summary>
    private static Simulation AliasingPath(int seed) => new(
        new ScriptedChannel(seed) { Loss = 0.01, LatencyMicros = 5_000, JitterMicros = 2_000 },
        new ScriptedChannel(seed + 1000) { Duplicate = 0.05, LateDuplicateMicros = 30_000, Reorder = 0.2, LatencyMicros = 5_000, JitterMicros = 3_000 });

    private void Report(Simulation sim, SenderProtocol sender)
    {
        var counters = sim.Counters.Snapshot();
        output.WriteLine($"outcome {sender.Outcome.Verified} '{sender.Outcome.Message}', sent {counters.DatagramsSent}, retransmitted {counters.Retransmitted}, stale acks {sender.StaleAcks}, acks duplicated {sim.ToClient.Duplicated}, reordered {sim.ToClient.Reordered}, virtual {sim.Clock.NowMicros / 1000} ms");
    }
}
