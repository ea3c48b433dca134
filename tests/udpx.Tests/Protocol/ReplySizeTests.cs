using System.Net;
using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>
/// Whoever spoofs a client's address and knows its session id must not get the server to send more
/// than it sent; and recorded stateless refusals must not end a keyed client's transfer later.
/// </summary>
public sealed class ReplySizeTests
{
    private static readonly PreSharedKey Key = PreSharedKey.FromBytes("a key for the reply size tests"u8.ToArray());

    [Fact]
    public void A_finish_or_a_short_duplicate_never_draws_an_ack_larger_than_itself()
    {
        var store = new MemoryFileStore { ChunkSize = ServerPeer.ChunkSize };
        using var server = new ServerProtocol(new ServerOptions(), store);
        var peer = new ServerPeer(server, 5000) { Now = 1_000_000 };
        // 4,000 chunks with every other one missing: the full bitmap would be far larger than a Finish.
        byte[] file = Simulation.RandomFile((4000 * ServerPeer.ChunkSize) + 10, 4);
        peer.Open(7, file.Length, "gaps.bin");
        server.Poll(peer.Now, peer);
        for (ulong chunk = 0; chunk < 4000; chunk += 2)
        {
            peer.Chunk(7, file, chunk);
        }
        peer.Chunk(7, file, 4000); // the short last chunk: 10 bytes of payload

        int before = peer.Replies.Count;
        peer.Finish(7, file);
        peer.Chunk(7, file, 4000); // a duplicate of it
        var answers = peer.Replies.Skip(before).ToList();

        // Each answer is an Ack whose bitmap is cut to the size of what it answers: never more than that,
        // or than an Ack with no bitmap at all (its fixed part is always sent: the sender needs it).
        Assert.Equal(2, answers.Count);
        Assert.All(answers, a => Assert.Equal((byte)MessageType.Ack, a[2]));
        Assert.True(answers[0].Length <= Math.Max(Wire.FinishSize, Wire.AckFixedSize), "Ack of " + answers[0].Length + " bytes for a Finish");
        Assert.True(answers[1].Length <= Math.Max(Wire.DataHeaderSize + 10, Wire.AckFixedSize), "Ack of " + answers[1].Length + " bytes for a 46-byte datagram");
        Assert.True(MessageCodec.TryReadAck(answers[0], out var read));
        Assert.Equal(1UL, read.Cumulative);
        Assert.True(MessageCodec.TryReadAck(answers[1], out read));
        Assert.Equal(1UL, read.Cumulative);
    }

    [Fact]
    public void An_ended_session_answers_a_late_finish_with_a_done_no_larger_than_the_finish()
    {
        var store = new MemoryFileStore { ChunkSize = ServerPeer.ChunkSize };
        using var server = new ServerProtocol(new ServerOptions(), store);
        var peer = new ServerPeer(server, 5000) { Now = 1_000_000 };
        byte[] file = Simulation.RandomFile(3000, 5);
        peer.Open(8, file.Length, "x.bin");
        server.Poll(peer.Now, peer);
        peer.Abort(8); // ends with a long message ("cancelled by the client")
        server.Poll(peer.Now, peer);

        int before = peer.Replies.Count;
        peer.Finish(8, file);
        var done = Assert.Single(peer.Replies.Skip(before));

        Assert.Equal((byte)MessageType.Done, done[2]);
        Assert.True(done.Length <= Wire.FinishSize);
        Assert.True(MessageCodec.TryReadDone(done, out var message));
        Assert.Equal(RejectReason.Cancelled, message.Reason);
    }

    [Fact]
    public void A_replayed_stateless_refusal_does_not_end_a_keyed_transfer_that_is_under_way()
    {
        byte[] file = Simulation.RandomFile(40 * 1000, 6);
        var sender = HandDrivenSender.Accepted(0x66, file, new SenderOptions { Key = Key }, out long at);
        var server = DatagramAuthenticator.ForServer(Key);
        byte[] reply = new byte[Wire.EthernetDatagramSize];
        // Recorded while it was offering: the server once refused this session's Offer, stateless (packet number 0).
        byte[] expired = reply[..server.Sign(reply, MessageCodec.WriteReject(reply, new RejectMessage(0x66, RejectReason.CookieExpired, string.Empty)))];
        byte[] busy = reply[..server.Sign(reply, MessageCodec.WriteReject(reply, new RejectMessage(0x66, RejectReason.ServerBusy, "busy")))];

        sender.OnDatagram(expired, at + 10);
        sender.OnDatagram(busy, at + 20);

        Assert.Equal(TransferPhase.Sending, sender.Phase);
        Assert.False(sender.IsFinished);
    }

    [Fact]
    public void A_keyed_client_drops_a_replayed_server_datagram_before_it_counts_as_an_ack()
    {
        byte[] file = Simulation.RandomFile(40 * 1000, 7);
        var sender = HandDrivenSender.Accepted(0x67, file, new SenderOptions { Key = Key }, out long at);
        var server = DatagramAuthenticator.ForServer(Key);
        byte[] buffer = new byte[Wire.EthernetDatagramSize];
        while (sender.TryWriteNext(buffer, at) > 0)
        {
        }
        byte[] ack = new byte[Wire.EthernetDatagramSize];
        int n = server.Sign(ack, MessageCodec.WriteAck(ack, 0x67, 2, 3, 1, (uint)at, 0, []));

        sender.OnDatagram(ack.AsSpan(0, n), at + 5_000);
        sender.OnDatagram(ack.AsSpan(0, n), at + 6_000);

        Assert.Equal(1, sender.Replays);
        Assert.Equal(0, sender.StaleAcks); // dropped by the replay window, before the Ack logic saw it
    }

    [Theory]
    [InlineData("2001:db8:1:2::10", "2001:db8:1:2:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8:1:2::10", "2001:db8:1:3::10", false)]
    [InlineData("192.0.2.1", "192.0.2.2", false)]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.2", false)]
    [InlineData("192.0.2.1", "::ffff:192.0.2.1", true)]
    public void Per_host_limits_count_an_ipv6_host_by_its_64_bit_prefix(string a, string b, bool sameHost)
    {
        var first = new IPEndPoint(IPAddress.Parse(a), 1000).Serialize();
        var second = new IPEndPoint(IPAddress.Parse(b), 2000).Serialize();

        Assert.Equal(sameHost, HostKey.Of(first) == HostKey.Of(second));
    }
}
