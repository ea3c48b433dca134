using System.Buffers.Binary;
using System.Net;
using Udpx.Engine;
using Udpx.Net;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>
/// Receives the kernel coalesced (UDP GRO) cut back into the datagrams of the sender's segmented sends (GSO),
/// under a virtual clock: for a live session by its chunk size, and for a session the server does not know
/// (it restarted) by where the second datagram begins. Without the second, a restarted server took a batch of
/// its predecessor's session for one datagram with a bad checksum, never told the client, and the client
/// waited out its idle timeout instead of resuming (ResumeTests' and FaultTests' server restarts).
/// </summary>
public sealed class CoalescedReceiveTests
{
    private const ulong Session = 0x5eed_0001;
    private static readonly PreSharedKey Key = PreSharedKey.FromBytes("correct horse battery staple"u8.ToArray());
    private readonly SocketAddress _client = new IPEndPoint(IPAddress.Loopback, 5000).Serialize();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_restarted_server_answers_every_datagram_of_a_segmented_batch_of_a_session_it_never_had(bool keyed)
    {
        var path = new CongestionController(Wire.EthernetDatagramSize, 8192);
        var options = new SenderOptions { Key = keyed ? Key : null, Path = path };
        int chunkSize = Wire.ChunkSizeFor(Wire.EthernetDatagramSize) - (keyed ? DatagramAuthenticator.TagSize : 0);
        // Two full chunks and a short last one: one segmented send, the short datagram closing it.
        byte[] file = Simulation.RandomFile((2 * chunkSize) + 100, 7);
        var sender = HandDrivenSender.Accepted(Session, file, options, out long at);
        byte[] batch = NextBatch(sender, at, out int datagrams);
        Assert.Equal(3, datagrams);
        Assert.Equal(3, path.InFlight);

        var restarted = new ServerProtocol(new ServerOptions { Key = keyed ? Key : null }, new MemoryFileStore());
        var replies = new Replies();
        restarted.HandleCoalesced(batch, _client, at + 100, replies);

        Assert.Equal(0, restarted.Stats.BadChecksum);
        Assert.Equal(0, restarted.Stats.Unauthenticated);
        Assert.Equal(3, restarted.Stats.UnknownSession);
        Assert.Equal(3, replies.All.Count);
        Assert.All(replies.All, r => Assert.Equal((byte)MessageType.Reject, r[2]));
        Assert.All(replies.All, r => Assert.Equal(Session, BinaryPrimitives.ReadUInt64BigEndian(r.AsSpan(8))));

        // The sender hears it and starts over, holding nothing of the dead session in its path's window.
        sender.OnDatagram(replies.All[0], at + 200);
        Assert.Equal(1, sender.Restarts);
        Assert.Equal(TransferPhase.Connecting, sender.Phase);
        Assert.Equal(0, path.InFlight);
    }

    [Fact]
    public void A_batch_whose_second_datagram_cannot_be_found_is_one_datagram_and_draws_nothing()
    {
        byte[] batch = new byte[3000];
        MessageCodec.WriteDataHeader(batch, Session, 0, 1, 1);
        Checksum.Seal(batch.AsSpan(0, 1472));
        var restarted = new ServerProtocol(new ServerOptions(), new MemoryFileStore());
        var replies = new Replies();

        restarted.HandleCoalesced(batch, _client, 0, replies);

        Assert.Equal(1, restarted.Stats.BadChecksum);
        Assert.Empty(replies.All);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10)]
    public void Over_segmented_batches_a_file_arrives_whole_and_a_server_restart_costs_only_a_fresh_start(int restartAfterBatches)
    {
        var path = new CongestionController(Wire.EthernetDatagramSize, 8192);
        int chunkSize = Wire.ChunkSizeFor(Wire.EthernetDatagramSize);
        byte[] file = Simulation.RandomFile((300 * chunkSize) + 77, 8);
        var store = new MemoryFileStore { ChunkSize = chunkSize };
        var plan = new TransferPlan(Session, "f.bin", file.Length, Wire.EthernetDatagramSize);
        var sender = new SenderProtocol(plan, new MemoryChunkSource(file), new SenderOptions { Path = path }, new TransferCounters());
        var server = new ServerProtocol(new ServerOptions(), store);
        var replies = new Replies();
        long now = 1_000;
        int batches = 0;

        while (!sender.IsFinished && now < 60_000_000)
        {
            byte[] batch = NextBatch(sender, now, out int datagrams);
            if (datagrams > 0 && ++batches == restartAfterBatches)
            {
                server.Dispose();
                server = new ServerProtocol(new ServerOptions(), store);
            }
            if (datagrams > 0)
            {
                server.HandleCoalesced(batch, _client, now, replies);
            }
            server.Poll(now, replies);
            foreach (byte[] reply in replies.All)
            {
                sender.OnDatagram(reply, now);
            }
            replies.All.Clear();
            now = datagrams > 0 ? now + 50 : Math.Clamp(sender.NextDeadline(now), now + 50, now + 50_000);
        }

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, store.Committed["f.bin"]);
        // The restart came mid-transfer (the file takes more batches than that), and cost one fresh start.
        Assert.True(restartAfterBatches < batches, $"{batches} batches");
        Assert.Equal(restartAfterBatches > 0 ? 1 : 0, sender.Restarts);
        Assert.Equal(0, server.Stats.BadChecksum);
        Assert.Equal(0, path.InFlight);
        server.Dispose();
    }

    /// <summary>What one segmented send of the blocking driver carries: full datagrams back to back, a shorter one ending it.</summary>
    private static byte[] NextBatch(SenderProtocol sender, long now, out int datagrams)
    {
        byte[] buffer = new byte[UdpOffload.MaxBatchBytes];
        int size = Wire.EthernetDatagramSize;
        int used = 0;
        datagrams = 0;
        while (datagrams < UdpOffload.SegmentsPerBatch(size))
        {
            int length = sender.TryWriteNext(buffer.AsSpan(used, size), now);
            if (length == 0)
            {
                break;
            }
            used += length;
            datagrams++;
            if (length != size)
            {
                break;
            }
        }
        return buffer[..used];
    }

    private sealed class Replies : IDatagramSink
    {
        public List<byte[]> All { get; } = [];

        public void Send(ReadOnlySpan<byte> datagram, SocketAddress to) => All.Add(datagram.ToArray());
    }
}
