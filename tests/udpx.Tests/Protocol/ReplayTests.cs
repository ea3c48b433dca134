using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>
/// Cookies usable once: a recorded transfer replayed after it ended, while its tombstone is kept, after
/// the tombstone expired and after it was evicted early, never opens a second session nor stores again.
/// Unkeyed and keyed (the replayed datagrams carry their genuine tags).
/// </summary>
public sealed class ReplayTests
{
    private static readonly PreSharedKey Key = PreSharedKey.FromBytes("a key for the replay tests"u8.ToArray());

    public static TheoryData<bool, long> Replays => new()
    {
        // keyed, seconds after the end: within the tombstone's keep, and after it (the cookie has expired)
        { false, 1 },
        { false, 29 },
        { false, 45 },
        { false, 3600 },
        { true, 1 },
        { true, 29 },
        { true, 45 },
    };

    [Theory]
    [MemberData(nameof(Replays))]
    public void A_recorded_transfer_replayed_after_it_ended_opens_no_session_and_stores_nothing(bool keyed, long secondsLater)
    {
        var store = new MemoryFileStore { ChunkSize = ServerPeer.ChunkSize };
        using var server = new ServerProtocol(new ServerOptions { Key = keyed ? Key : null }, store);
        var peer = new ServerPeer(server, 5000, keyed ? Key : null) { Now = 1_000_000 };
        byte[] file = Simulation.RandomFile(10_000, 3);

        peer.Transfer(1, file, "a.bin");
        Assert.True(MessageCodec.TryReadDone(peer.Last(MessageType.Done), out var done));
        Assert.Equal(RejectReason.None, done.Reason);
        Assert.Equal(1, store.Commits);
        var recorded = peer.Sent.ToList();

        peer.Now += secondsLater * 1_000_000;
        server.Poll(peer.Now, peer);
        int repliesBefore = peer.Replies.Count;
        peer.Replay(recorded.Where(d => d[2] != (byte)MessageType.Hello));

        Assert.Equal(1, store.Created);
        Assert.Equal(1, store.Commits);
        Assert.Equal(0, server.ActiveSessions);
        Assert.Equal(0, peer.Replies.Skip(repliesBefore).Count(r => r[2] == (byte)MessageType.Accept));
        if (secondsLater < 31)
        {
            // Remembered: every repeat gets the result it already had.
            Assert.Equal(1, server.RememberedSessions);
            Assert.True(server.Stats.RepeatedOffers >= 1);
            Assert.True(MessageCodec.TryReadDone(peer.Last(MessageType.Done), out var again));
            Assert.Equal(RejectReason.None, again.Reason);
        }
        else
        {
            // Forgotten, but so is the cookie: the offer is refused as expired, the rest as unknown.
            Assert.Equal(0, server.RememberedSessions);
            Assert.True(MessageCodec.TryReadReject(peer.Replies.Skip(repliesBefore).First(r => r[2] == (byte)MessageType.Reject), out var reject));
            Assert.Equal(RejectReason.CookieExpired, reject.Reason);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_replay_whose_tombstone_was_evicted_early_is_refused_as_an_expired_cookie(bool keyed)
    {
        var store = new MemoryFileStore { ChunkSize = ServerPeer.ChunkSize };
        using var server = new ServerProtocol(new ServerOptions { Key = keyed ? Key : null, MaxTombstones = 2 }, store);
        var peer = new ServerPeer(server, 5000, keyed ? Key : null) { Now = 5_000_000 };
        byte[] file = Simulation.RandomFile(5_000, 4);
        peer.Transfer(1, file, "first.bin");
        var recorded = peer.Sent.ToList();

        // Two more sessions end within the same cookie lifetime; the cap of 2 evicts the first early.
        peer.Now += 2_000_000;
        peer.Open(2, 100, "second.bin");
        peer.Abort(2);
        peer.Open(3, 100, "third.bin");
        peer.Abort(3);
        Assert.Equal(2, server.RememberedSessions);
        Assert.Equal(1, server.EvictedTombstones);

        int before = peer.Replies.Count;
        peer.Replay(recorded.Where(d => d[2] != (byte)MessageType.Hello));

        Assert.Equal(3, store.Created);
        Assert.Equal(1, store.Commits);
        Assert.Equal(0, server.ActiveSessions);
        var replies = peer.Replies.Skip(before).ToList();
        Assert.DoesNotContain(replies, r => r[2] == (byte)MessageType.Accept);
        Assert.True(MessageCodec.TryReadReject(replies.First(r => r[2] == (byte)MessageType.Reject), out var reject));
        Assert.Equal(RejectReason.CookieExpired, reject.Reason);

        // An honest client starts over with a new Hello: one second later its cookie is newer than the horizon.
        peer.Now += 1_000_000;
        before = peer.Open(4, file.Length, "first.bin");
        Assert.Equal(MessageType.Accept, (MessageType)peer.Replies[^1][2]);
    }

    [Fact]
    public void The_same_session_id_with_a_fresh_cookie_gets_the_old_result_not_a_second_session()
    {
        var store = new MemoryFileStore { ChunkSize = ServerPeer.ChunkSize };
        using var server = new ServerProtocol(new ServerOptions(), store);
        var peer = new ServerPeer(server, 5000) { Now = 1_000_000 };
        byte[] file = Simulation.RandomFile(3_000, 5);
        peer.Transfer(7, file, "x.bin");

        peer.Now += 10_000_000;
        peer.Open(7, file.Length, "x.bin");

        Assert.Equal(MessageType.Done, (MessageType)peer.Replies[^1][2]);
        Assert.Equal(1, store.Created);
    }
}
