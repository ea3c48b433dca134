using System.Buffers.Binary;
using System.Net;
using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>Packet numbers: unique per session and direction, the payload nonces built from them, and the replay window.</summary>
public sealed class PacketNumberTests
{
    private static readonly PreSharedKey Key = PreSharedKey.FromBytes("correct horse battery staple"u8.ToArray());
    private static readonly int ChunkSize = Wire.ChunkSizeFor(Wire.EthernetDatagramSize);

    [Fact]
    public void Over_loss_retransmissions_and_a_server_restart_no_session_and_packet_number_repeat()
    {
        var wire = new List<byte[]>();
        var toServer = new ScriptedChannel(1) { Loss = 0.2, Tap = wire.Add };
        var sim = new Simulation(toServer, new ScriptedChannel(2) { Loss = 0.2 }) { RestartServerAfter = 150 };
        byte[] file = Simulation.RandomFile(300 * ChunkSize, 1);

        var sender = sim.Run(file);

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(1, sender.Restarts);
        var numbered = wire.Select(d => (Session: BinaryPrimitives.ReadUInt64BigEndian(d.AsSpan(8)), Packet: DatagramHeader.PacketNumberOf(d))).ToList();
        Assert.Equal(numbered.Count, numbered.Distinct().Count());
        // Within each session the numbers only grow.
        foreach (var session in numbered.GroupBy(n => n.Session))
        {
            var packets = session.Select(n => n.Packet).ToList();
            Assert.Equal(packets.Order().ToList(), packets);
        }
        // And a chunk sent again is sent under a new number.
        var chunks = wire.Where(d => d[2] == (byte)MessageType.Data)
            .Select(d => (Chunk: BinaryPrimitives.ReadUInt64BigEndian(d.AsSpan(Wire.HeaderSize)), Packet: DatagramHeader.PacketNumberOf(d)))
            .GroupBy(c => c.Chunk).Where(g => g.Count() > 1).ToList();
        Assert.NotEmpty(chunks);
        Assert.All(chunks, g => Assert.Equal(g.Count(), g.Select(c => c.Packet).Distinct().Count()));
    }

    [Fact]
    public void With_a_clock_that_never_moves_every_encrypted_datagram_still_gets_its_own_nonce()
    {
        byte[] file = Simulation.RandomFile(50 * (ChunkSize - DatagramAuthenticator.TagSize), 2);
        var plan = new TransferPlan(0x55, "f.bin", file.Length, Wire.EthernetDatagramSize, DatagramAuthenticator.TagSize);
        // A window that takes the whole file at once: with the clock stopped, nothing is paced out over time.
        var path = new CongestionController(plan.DatagramSize, 8192, initialWindow: 64);
        var sender = new SenderProtocol(plan, new MemoryChunkSource(file), new SenderOptions { Key = Key, Encrypt = true, Path = path }, new TransferCounters());
        var server = DatagramAuthenticator.ForServer(Key);
        byte[] buffer = new byte[Wire.EthernetDatagramSize];
        byte[] reply = new byte[Wire.EthernetDatagramSize];
        var sent = new List<byte[]>();
        const long Now = 1_000; // the clock stands still for the whole test

        UInt128 serverRandom = 0xabcdef;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            Assert.True(sender.TryWriteNext(buffer, Now) > 0); // Hello
            ulong session = sender.SessionId;
            Deliver(MessageCodec.WriteCookie(reply, new CookieMessage(session, Now, 1, 2)));
            Assert.True(sender.TryWriteNext(buffer, Now) > 0); // Offer
            Deliver(MessageCodec.WriteAccept(reply, new AcceptMessage(session, 0, 8192, (ushort)plan.ChunkSize, serverRandom, 1)));
            int n;
            while ((n = sender.TryWriteNext(buffer, Now)) > 0)
            {
                sent.Add(buffer[..n]);
            }
            // The server restarted: the sender starts over under a new session id, at the same instant.
            Deliver(MessageCodec.WriteReject(reply, new RejectMessage(session, RejectReason.UnknownSession, string.Empty)));
        }

        var data = sent.Where(d => d[2] == (byte)MessageType.Data).ToList();
        Assert.Equal(2 * 50, data.Count);
        Assert.All(data, d => Assert.Equal(PayloadCipher.Flag, (byte)(d[3] & PayloadCipher.Flag)));
        // Same server random both times (a cloned server, say): the session id and the client random differ.
        var sessions = data.Select(d => BinaryPrimitives.ReadUInt64BigEndian(d.AsSpan(8))).Distinct().ToList();
        Assert.Equal(2, sessions.Count);
        Assert.Equal(data.Count, data.Select(d => (BinaryPrimitives.ReadUInt64BigEndian(d.AsSpan(8)), DatagramHeader.PacketNumberOf(d))).Distinct().Count());

        void Deliver(int length) => sender.OnDatagram(reply.AsSpan(0, server.Sign(reply, length)), Now);
    }

    [Fact]
    public void Nonces_are_the_iv_xor_the_packet_number_and_keys_differ_with_either_random()
    {
        using var a = new PayloadCipher(Key, 7, 1, 2);
        using var sameRandoms = new PayloadCipher(Key, 7, 1, 2);
        using var otherClient = new PayloadCipher(Key, 7, 3, 2);
        byte[] plain = "the same bytes under the same packet number"u8.ToArray();

        Assert.Equal(Seal(a, 5, plain), Seal(sameRandoms, 5, plain));
        Assert.NotEqual(Seal(a, 5, plain), Seal(otherClient, 5, plain));
        Assert.NotEqual(Seal(a, 5, plain), Seal(a, 6, plain));

        var nonces = new HashSet<string>();
        Span<byte> nonce = stackalloc byte[12];
        foreach (ulong packet in new ulong[] { 0, 1, 2, 255, 256, 1UL << 32, ulong.MaxValue })
        {
            a.NonceFor(packet, nonce);
            Assert.True(nonces.Add(Convert.ToHexString(nonce)));
        }
    }

    [Fact]
    public void A_keyed_server_drops_replayed_datagrams_of_a_session_and_the_file_still_arrives_whole()
    {
        // Every datagram to the server arrives twice, the copy later: inside a session, a replay.
        var toServer = new ScriptedChannel(3) { Duplicate = 1.0, LateDuplicateMicros = 20_000 };
        var sim = new Simulation(toServer, new ScriptedChannel(4), new ServerOptions { Key = Key });
        // Long enough that most copies arrive while the session lives (the last ones meet its tombstone).
        byte[] file = Simulation.RandomFile(400 * (ChunkSize - DatagramAuthenticator.TagSize), 3);

        var sender = sim.Run(file, options: new SenderOptions { Key = Key });

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.Equal(file, sim.Store.Committed["file.bin"]);
        Assert.True(sim.Server.Stats.Replays >= 100, "replays dropped: " + sim.Server.Stats.Replays);
        Assert.All(sim.Server.Sessions, s => Assert.Equal(0, s.Duplicates)); // none got as far as the chunk bitmap
    }

    [Fact]
    public void The_replay_window_accepts_each_number_once_in_any_order_and_refuses_what_fell_behind()
    {
        var window = new ReplayWindow(64);
        Assert.True(window.TryAccept(10));
        Assert.True(window.TryAccept(5));
        Assert.False(window.TryAccept(5));
        Assert.False(window.TryAccept(10));
        Assert.True(window.TryAccept(100));
        Assert.False(window.TryAccept(36)); // 64 behind the largest
        Assert.True(window.TryAccept(37));
        Assert.False(window.TryAccept(37));
        Assert.True(window.TryAccept(1000));
        Assert.False(window.TryAccept(100));
        Assert.True(window.TryAccept(999));
    }

    [Fact]
    public void An_unknown_session_answer_is_never_larger_than_the_datagram_that_asked()
    {
        var server = new ServerProtocol(new ServerOptions(), new MemoryFileStore());
        var sink = new RecordingSink();
        var from = new IPEndPoint(IPAddress.Loopback, 5000).Serialize();
        byte[] buffer = new byte[Wire.EthernetDatagramSize];
        for (int payload = 1; payload < 40; payload++)
        {
            MessageCodec.WriteDataHeader(buffer, 0x1234, 0, 0, 7);
            int n = MessageCodec.SealData(buffer, payload);
            sink.Sent.Clear();
            server.Handle(buffer.AsSpan(0, n), from, 0, sink);
            Assert.All(sink.Sent, reply => Assert.True(reply.Length <= n, reply.Length + " bytes sent for " + n));
        }
        Assert.Equal(0, server.Stats.Malformed);

        // Shorter than any Data can be: a bare header typed Data (version 2 answered such a thing with a larger Reject).
        for (int length = Wire.HeaderSize; length <= Wire.DataHeaderSize; length++)
        {
            buffer.AsSpan(0, length).Clear();
            new DatagramHeader(MessageType.Data, 0x1234, 1).Write(buffer);
            Checksum.Seal(buffer.AsSpan(0, length));
            sink.Sent.Clear();
            server.Handle(buffer.AsSpan(0, length), from, 0, sink);
            Assert.Empty(sink.Sent);
        }
        Assert.Equal(Wire.DataHeaderSize - Wire.HeaderSize + 1, server.Stats.Malformed);
    }

    private static byte[] Seal(PayloadCipher cipher, ulong packet, byte[] plain)
    {
        byte[] buffer = new byte[Wire.DataHeaderSize + plain.Length + PayloadCipher.TagSize];
        MessageCodec.WriteDataHeader(buffer, 7, 0, 0, packet);
        plain.CopyTo(buffer, Wire.DataHeaderSize);
        int n = cipher.Seal(buffer, MessageCodec.SealData(buffer, plain.Length));
        return buffer[..n];
    }

    private sealed class RecordingSink : IDatagramSink
    {
        public List<byte[]> Sent { get; } = [];

        public void Send(ReadOnlySpan<byte> datagram, SocketAddress to) => Sent.Add(datagram.ToArray());
    }
}
