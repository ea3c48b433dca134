using System.Net;
using NSubstitute;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>
/// Bounded resources under the virtual clock: sessions and tombstones capped under a Hello/Offer/Abort
/// loop, Poll visiting only what is due, per-host caps, the free-space reserve, files made off the
/// receive thread (the Preparing state).
/// </summary>
public sealed class ServerLimitsTests
{
    private const string TooLarge = "file too large for this server";

    [Fact]
    public void Ten_thousand_sessions_opened_and_aborted_leave_bounded_state()
    {
        var store = new MemoryFileStore();
        using var server = new ServerProtocol(new ServerOptions { MaxTombstones = 1_000 }, store);
        var peer = new ServerPeer(server, 5000);
        for (int i = 0; i < 10_000; i++)
        {
            // 10,000 in 10 s of virtual time: none expires (tombstones are kept 31 s), so the cap must hold;
            // those evicted are a second old, older than the cookies handed out now.
            peer.Now = i * 1_000L;
            peer.Open((ulong)i + 1, 1_000_000, "f" + i);
            Assert.Equal(MessageType.Accept, (MessageType)peer.Replies[^1][2]);
            peer.Abort((ulong)i + 1);
            server.Poll(peer.Now, peer);
        }

        Assert.Equal(0, server.ActiveSessions);
        Assert.Equal(1_000, server.RememberedSessions);
        Assert.Equal(9_000, server.EvictedTombstones);
        Assert.True(server.Sessions.Count <= ServerProtocol.RecentShown);
        Assert.Equal(10_000, store.Discarded);
        // Nothing was due at any tick: Poll looked at no session at all.
        Assert.Equal(0, server.PollVisits);

        // Once kept long enough, the tombstones go; of the ended sessions' idle checks, at most 64 were still queued.
        server.Poll(50_000_000, peer);
        Assert.Equal(0, server.RememberedSessions);
        // (and the 64 ended sessions the list still showed).
        Assert.InRange(server.PollVisits, 1_000, 1_000 + 65 + ServerProtocol.RecentShown);
        Assert.Empty(server.Sessions);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(300)]
    public void Poll_visits_only_sessions_with_something_due_however_many_exist(int idleSessions)
    {
        using var server = new ServerProtocol(new ServerOptions { MaxSessions = 1_000, MaxSessionsPerHost = 1_000 }, new MemoryFileStore());
        var peer = new ServerPeer(server, 5000);
        for (int i = 0; i < idleSessions; i++)
        {
            peer.Open((ulong)i + 1, 100_000, "idle" + i);
        }
        byte[] file = Simulation.RandomFile(100_000, 9);
        peer.Open(1_000_000, file.Length, "busy");
        long before = server.PollVisits;

        // One active session gets a chunk every 2 ms for a second; the idle ones are not touched.
        for (int tick = 1; tick <= 1_000; tick++)
        {
            peer.Now = tick * 1_000L;
            if (tick % 2 == 0 && tick / 2 < 60)
            {
                peer.Chunk(1_000_000, file, (ulong)(tick / 2));
            }
            server.Poll(peer.Now, peer);
        }

        long visits = server.PollVisits - before;
        Assert.InRange(visits, 1, 200);
        Assert.Equal(idleSessions + 1, server.ActiveSessions);

        // At the idle timeout every session is looked at once, and expires.
        server.Poll(31_000_000, peer);
        Assert.Equal(0, server.ActiveSessions);
        Assert.InRange(server.PollVisits - before - visits, idleSessions + 1, idleSessions + 1);
    }

    [Fact]
    public void Sessions_from_one_address_are_capped_whatever_its_port()
    {
        using var server = new ServerProtocol(new ServerOptions { MaxSessionsPerHost = 2 }, new MemoryFileStore());
        var a = new ServerPeer(server, 5000);
        var b = new ServerPeer(server, 5001);
        var elsewhere = new ServerPeer(server, new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5000).Serialize());

        a.Open(1, 100, "1");
        b.Open(2, 100, "2");
        b.Open(3, 100, "3");
        elsewhere.Open(4, 100, "4");

        Assert.True(MessageCodec.TryReadReject(b.Last(MessageType.Reject), out var reject));
        Assert.Equal(RejectReason.ServerBusy, reject.Reason);
        Assert.Equal(MessageType.Accept, (MessageType)elsewhere.Replies[^1][2]);
        Assert.Equal(3, server.ActiveSessions);

        a.Abort(1);
        b.Open(5, 100, "5");
        Assert.Equal(MessageType.Accept, (MessageType)b.Replies[^1][2]);
    }

    [Fact]
    public void Bytes_offered_by_one_address_are_capped()
    {
        using var server = new ServerProtocol(new ServerOptions { MaxReservedPerHost = 1_000_000 }, new MemoryFileStore());
        var peer = new ServerPeer(server, 5000);
        var other = new ServerPeer(server, new IPEndPoint(IPAddress.Parse("127.0.0.3"), 5000).Serialize());

        peer.Open(1, 600_000, "1");
        peer.Open(2, 600_000, "2");
        Assert.True(MessageCodec.TryReadReject(peer.Last(MessageType.Reject), out var reject));
        Assert.Equal(RejectReason.ServerBusy, reject.Reason);
        peer.Open(3, 400_000, "3");
        other.Open(4, 600_000, "4");

        Assert.Equal(MessageType.Accept, (MessageType)peer.Replies[^1][2]);
        Assert.Equal(MessageType.Accept, (MessageType)other.Replies[^1][2]);
    }

    [Fact]
    public void An_offer_that_would_leave_less_than_the_reserve_is_refused_as_too_large_without_a_figure()
    {
        var store = Substitute.For<IFileStore>();
        var preparing = new TaskCompletionSource<RejectReason>();
        store.GetSpace().Returns(new DiskSpace(Available: 10_000_000, Total: 100_000_000));
        store.TryCreate(default!, default, default, default, out _).ReturnsForAnyArgs(call =>
        {
            var file = Substitute.For<IIncomingFile>();
            file.PrepareAsync(default).ReturnsForAnyArgs(preparing.Task);
            call[4] = file;
            return RejectReason.None;
        });
        using var server = new ServerProtocol(new ServerOptions { MinFree = DiskReserve.OfBytes(1_000_000), MaxFileSize = 1L << 40, MaxReservedPerHost = long.MaxValue }, store);
        var peer = new ServerPeer(server, 5000);

        // 9 MB leaves 1 MB: accepted, and its preparation is still running.
        peer.Open(1, 9_000_000, "fits");
        Assert.Equal(0, peer.Count(MessageType.Reject));
        Assert.Equal(0, peer.Count(MessageType.Accept));
        // The space of the one being prepared counts: 1 byte more no longer fits, nor anything bigger.
        foreach (long size in (long[])[1, 50_000_000, 1L << 39])
        {
            int before = peer.Open((ulong)size + 10, size, "more" + size);
            Assert.True(MessageCodec.TryReadReject(peer.Replies[^1], out var reject));
            Assert.Equal(RejectReason.TooLarge, reject.Reason);
            Assert.Equal(TooLarge, reject.Message);
        }

        preparing.SetResult(RejectReason.None);
        server.Poll(1_000, peer);
        Assert.Equal(1, peer.Count(MessageType.Accept));
    }

    [Fact]
    public void A_preallocation_that_finds_the_disk_full_is_refused_like_too_large()
    {
        var store = new MemoryFileStore { Preparation = new TaskCompletionSource<RejectReason>() };
        using var server = new ServerProtocol(new ServerOptions(), store);
        var peer = new ServerPeer(server, 5000);
        peer.Open(1, 5_000, "x");
        store.Preparation.SetResult(RejectReason.DiskFull);

        server.Poll(1_000, peer);

        Assert.True(MessageCodec.TryReadReject(peer.Last(MessageType.Reject), out var reject));
        Assert.Equal(RejectReason.TooLarge, reject.Reason);
        Assert.Equal(TooLarge, reject.Message);
        Assert.Equal(0, server.ActiveSessions);
        // A repeat of the offer gets the same refusal, not a second attempt.
        peer.Offer(1, peer.Hello(1), 5_000, "x");
        Assert.Equal(RejectReason.TooLarge, MessageCodec.TryReadReject(peer.Replies[^1], out var again) ? again.Reason : RejectReason.None);
        Assert.Equal(1, store.Created);
    }

    /// <summary>
    /// While a file is being made off the receive thread its Accept waits for the next poll: the server says so,
    /// and its receive thread looks for it every 100 µs instead of every millisecond until the answer is out.
    /// </summary>
    [Fact]
    public void A_file_being_made_keeps_the_server_awaiting_it_until_the_poll_that_sends_its_accept()
    {
        var store = new MemoryFileStore { Preparation = new TaskCompletionSource<RejectReason>() };
        using var server = new ServerProtocol(new ServerOptions(), store);
        var peer = new ServerPeer(server, 5000);
        Assert.False(server.AwaitsBackground);

        peer.Open(1, 5_000, "x");
        server.Poll(1_000, peer);
        Assert.True(server.AwaitsBackground);
        store.Preparation.SetResult(RejectReason.None);
        Assert.True(server.AwaitsBackground); // made, but its Accept is not out yet
        Assert.Equal(0, peer.Count(MessageType.Accept));

        server.PollBackground(1_100, peer);
        Assert.Equal(1, peer.Count(MessageType.Accept));
        Assert.False(server.AwaitsBackground);
    }

    [Fact]
    public void While_its_file_is_prepared_a_session_is_silent_counts_against_the_limit_and_can_be_aborted()
    {
        var store = new MemoryFileStore { Preparation = new TaskCompletionSource<RejectReason>() };
        using var server = new ServerProtocol(new ServerOptions { MaxSessions = 1 }, store);
        var peer = new ServerPeer(server, 5000);
        byte[] file = Simulation.RandomFile(3_000, 1);
        var cookie = peer.Hello(1);
        peer.Offer(1, cookie, file.Length, "p");
        peer.Offer(1, cookie, file.Length, "p");
        peer.Chunk(1, file, 0);
        peer.Finish(1, file);
        server.Poll(1_000, peer);

        Assert.Equal(1, peer.Count(MessageType.Cookie));
        Assert.Single(peer.Replies);
        Assert.Equal(SessionState.Preparing, server.Sessions[0].State);

        var other = new ServerPeer(server, 5001);
        other.Open(2, 100, "q");
        Assert.True(MessageCodec.TryReadReject(other.Last(MessageType.Reject), out var busy));
        Assert.Equal(RejectReason.ServerBusy, busy.Reason);

        store.Preparation.SetResult(RejectReason.None);
        server.Poll(2_000, peer);
        Assert.Equal(MessageType.Accept, (MessageType)peer.Replies[^1][2]);
        peer.Abort(1);
        Assert.Equal(0, server.ActiveSessions);
        Assert.Equal(1, store.Discarded);
    }
}
