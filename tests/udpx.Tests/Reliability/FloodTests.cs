using System.Net;
using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Reliability;

/// <summary>
/// Floods from one socket against a running server on loopback: handshakes and offers with bad cookies
/// create no session and earn no more bytes than they cost; past --max-sessions extra offers are refused
/// as busy while the live transfer goes on.
/// </summary>
public sealed class FloodTests : IDisposable
{
    private const int Count = 5000;

    private readonly TempFolder _folder = new();

    [Fact]
    public void Thousands_of_hellos_and_offers_with_bad_cookies_create_no_session()
    {
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), _folder.File("out"), new ServerOptions());
        var stats = host.Protocol.Stats;
        using var flooder = new RawClient(host.EndPoint);
        using var victim = new RawClient(host.EndPoint);
        var stolen = victim.Handshake(0x7777);
        var own = flooder.Handshake(0x8888);
        // Patient: on a busy machine the server thread may wait its turn; the counts below must be exact.
        var pacer = new FloodPacer(stats, maxLag: 512, stallMilliseconds: 2000);
        var random = new Random(5);
        byte[] b = new byte[Wire.MaxDatagramSize];
        long sentBytes = 0;
        long repliedBytes = 0;
        var replies = new Dictionary<MessageType, int>();
        void Send(int length)
        {
            flooder.Send(b.AsSpan(0, length));
            sentBytes += length;
            pacer.OnSent();
            // Read replies as they come, so that none is lost to a full socket buffer.
            while (flooder.TryReceive(TimeSpan.Zero, out byte[] reply))
            {
                Tally(reply);
            }
        }
        void Tally(byte[] reply)
        {
            repliedBytes += reply.Length;
            var type = reply.Length > 2 ? (MessageType)reply[2] : 0;
            replies[type] = replies.GetValueOrDefault(type) + 1;
        }

        for (int i = 0; i < Count; i++)
        {
            Send(MessageCodec.WriteHello(b, new HelloMessage((ulong)i + 1, (ulong)i)));
        }
        for (int i = 0; i < Count; i++)
        {
            // Forged: a MAC made up, issued "now" or at any time.
            ulong issuedAt = i % 2 == 0 ? own.IssuedAtSeconds : (ulong)random.NextInt64();
            Send(MessageCodec.WriteOffer(b, new OfferMessage((ulong)i + 1, issuedAt, (ulong)random.NextInt64(), 1000, 1444, 0, "forged" + i)));
        }
        for (int i = 0; i < Count / 5; i++)
        {
            // A genuine cookie, but issued to another address (stolen) or to another session id (replayed).
            Send(MessageCodec.WriteOffer(b, new OfferMessage(0x7777, stolen.IssuedAtSeconds, stolen.Mac, 1000, 1444, 0, "stolen" + i)));
            Send(MessageCodec.WriteOffer(b, new OfferMessage(0x9999 + (ulong)i, own.IssuedAtSeconds, own.Mac, 1000, 1444, 0, "replayed" + i)));
        }
        pacer.Settle();
        foreach (byte[] reply in flooder.Drain(TimeSpan.FromMilliseconds(200)))
        {
            Tally(reply);
        }

        Assert.Equal(0, pacer.WrittenOff);
        Assert.Empty(host.Protocol.Sessions);
        Assert.Equal(0, host.Protocol.ActiveSessions);
        Assert.Equal(Count + (2 * (Count / 5)), stats.BadCookie);
        // Hellos get a (smaller) Cookie each; a forged offer gets silence.
        Assert.Equal([MessageType.Cookie], replies.Keys);
        Assert.Equal(Count, replies[MessageType.Cookie]);
        Assert.True(repliedBytes < sentBytes, "replies " + repliedBytes + " bytes for " + sentBytes + " sent");
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.Store.Directory));
        Assert.Equal(0, stats.InternalErrors);
    }

    [Fact]
    public async Task Past_max_sessions_extra_offers_are_refused_as_busy_while_the_live_transfer_continues()
    {
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), _folder.File("out"), new ServerOptions { MaxSessions = 2 });
        byte[] liveBytes = Simulation.RandomFile(3_000_000, 1);
        string liveSource = _folder.Write("live.bin", liveBytes);
        var live = TestClient.SendAsync(liveSource, "live.bin", host.EndPoint.ToString(), new TransferSettings { RateBytesPerSecond = 1_000_000 });
        Assert.True(await TestClient.EventuallyAsync(() => host.Protocol.Sessions.Any(s => s.Name == "live.bin" && s.BytesReceived > 0), TimeSpan.FromSeconds(30)), "the live transfer never started");
        var liveSession = host.Protocol.Sessions.Single(s => s.Name == "live.bin");

        // A second session that just sits there: the server is now full.
        using var holder = new RawClient(host.EndPoint);
        Assert.True(MessageCodec.TryReadAccept(holder.Offer(0x1001, 1000, "held.bin"u8), out _));
        long bytesBefore = liveSession.BytesReceived;
        using var flooder = new RawClient(host.EndPoint);
        for (int i = 0; i < 500; i++)
        {
            var reject = flooder.OfferExpectingReject(0x2000 + (ulong)i, 1000, System.Text.Encoding.UTF8.GetBytes("extra" + i));
            Assert.Equal(RejectReason.ServerBusy, reject.Reason);
            Assert.StartsWith("server busy", reject.Message, StringComparison.Ordinal);
        }
        // A client asks a busy server again for a while (BusyWait); this one gives up after half a second.
        var refused = await TestClient.SendAsync(_folder.Write("late.bin", Simulation.RandomFile(10_000, 2)), "late.bin", host.EndPoint.ToString(), new TransferSettings { BusyWait = TimeSpan.FromMilliseconds(500) });
        bool liveStillRunning = !live.IsCompleted;
        long bytesAfter = liveSession.BytesReceived;
        var liveResult = await live;

        Assert.False(refused.Verified);
        Assert.Contains("server busy", refused.Error, StringComparison.Ordinal);
        Assert.True(liveStillRunning, "the live transfer ended before the flood did; nothing was tested");
        Assert.True(bytesAfter > bytesBefore, "the live transfer made no progress during the flood");
        Assert.True(liveResult.Verified, liveResult.Error);
        Assert.Equal(liveBytes, File.ReadAllBytes(Path.Combine(host.Store.Directory, "live.bin")));
        Assert.False(File.Exists(Path.Combine(host.Store.Directory, "late.bin")));
        Assert.True(host.Protocol.Stats.Rejected >= 501);
        Assert.Equal(0, host.Protocol.Stats.InternalErrors);
    }

    public void Dispose() => _folder.Dispose();
}
