using System.Diagnostics;
using System.Globalization;
using System.Net;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;
using Xunit.Abstractions;

namespace Udpx.Tests.Reliability;

/// <summary>
/// A million random and mutated datagrams thrown at a running server over loopback: it does not crash
/// (no internal error), its memory stays bounded, no file appears, and a valid transfer still succeeds.
/// </summary>
[Collection(RunAlone.Name)]
public sealed class FuzzTests(ITestOutputHelper output) : IDisposable
{
    private const long Datagrams = 1_000_000;
    private const long MemoryBound = 32L << 20;
    private const ulong Session = 0x0123_4567_89ab_cdef;

    private readonly TempFolder _folder = new();

    [Fact]
    public async Task A_million_random_and_mutated_datagrams_neither_crash_nor_leak_nor_write_and_a_transfer_still_succeeds()
    {
        // Small limits so that mutated offers that keep a genuine cookie cost little, and expire fast.
        var options = new ServerOptions { MaxFileSize = 256 << 10, IdleTimeout = TimeSpan.FromSeconds(1), Linger = TimeSpan.FromSeconds(1), MaxSessions = 64 };
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), _folder.File("out"), options);
        var stats = host.Protocol.Stats;
        using var fuzzer = new RawClient(host.EndPoint);
        var mutator = new DatagramMutator(20251127, Corpus(fuzzer));
        byte[] buffer = new byte[Wire.MaxDatagramSize];
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var pacer = new FloodPacer(stats);
        var watch = Stopwatch.StartNew();

        // Count what the server read, not what we sent: every one of the million reaches its parsers.
        while (pacer.Read < Datagrams)
        {
            int length = mutator.Next(buffer);
            fuzzer.Send(buffer.AsSpan(0, length));
            pacer.OnSent();
            Assert.True(pacer.Sent < 3 * Datagrams, "the server stopped reading: " + pacer.Read + " of " + pacer.Sent + " read");
        }
        double seconds = watch.Elapsed.TotalSeconds;
        long read = pacer.Read;
        long sessionsCreated = stats.Completed + stats.Failed + host.Protocol.ActiveSessions;

        Assert.True(await TestClient.EventuallyAsync(() => host.Protocol.Sessions.Count == 0, TimeSpan.FromSeconds(30)), "sessions made by the fuzz never expired");
        Assert.True(stats.InternalErrors == 0, stats.InternalErrors + " internal errors, the last: " + stats.LastInternalError);
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.Store.Directory));
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(after - before < MemoryBound, "managed memory grew by " + (after - before) + " bytes");

        byte[] bytes = Simulation.RandomFile(200_000, 1);
        string source = _folder.Write("after-fuzz.bin", bytes);
        var result = await TestClient.SendAsync(source, "after-fuzz.bin", host.EndPoint.ToString());
        Assert.True(result.Verified, result.Error);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(host.Store.Directory, "after-fuzz.bin")));
        Assert.Equal(0, stats.InternalErrors);

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"fuzz: {pacer.Sent} sent, {read} read by the server in {seconds:F1} s; random {mutator.Random}, mutated {mutator.Mutated}, resealed {mutator.Resealed}; "
            + $"not udpx {stats.NotUdpx}, bad checksum {stats.BadChecksum}, malformed {stats.Malformed}, unknown session {stats.UnknownSession}, wrong peer {stats.WrongPeer}, "
            + $"bad cookie {stats.BadCookie}, refused {stats.Rejected}, sessions {sessionsCreated} (all expired or failed, no file); memory {before / 1024} KiB -> {after / 1024} KiB"));
    }

    [Fact]
    public async Task An_empty_datagram_does_not_stop_the_server_from_reading()
    {
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), _folder.File("out"), new ServerOptions());
        using var attacker = new RawClient(host.EndPoint);
        attacker.Send([]);
        attacker.Send([Wire.Magic]);
        Assert.True(await TestClient.EventuallyAsync(() => host.Protocol.Stats.Datagrams == 2, TimeSpan.FromSeconds(10)), "the server read " + host.Protocol.Stats.Datagrams + " of 2 datagrams");

        byte[] bytes = Simulation.RandomFile(50_000, 2);
        var result = await TestClient.SendAsync(_folder.Write("after-empty.bin", bytes), "after-empty.bin", host.EndPoint.ToString(), new Udpx.Engine.TransferSettings { ConnectTimeout = TimeSpan.FromSeconds(5) });
        Assert.True(result.Verified, result.Error);
    }

    [Theory]
    [InlineData("thread")]
    [InlineData("thread-async")]
    public async Task Empty_datagrams_from_the_server_address_do_not_stop_the_client_from_reading(string modeName)
    {
        Assert.True(Modes.ConcurrencyModeNames.TryParse(modeName, out var mode));
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), _folder.File("out"), new ServerOptions());
        // An empty datagram before the Cookie and before every third reply after it.
        using var proxy = new InjectingProxy(host.EndPoint, n => n % 3 == 0 ? [] : null);
        byte[] bytes = Simulation.RandomFile(300_000, 3);

        var result = await TestClient.SendAsync(_folder.Write("through-proxy.bin", bytes), "through-proxy.bin", proxy.Address, mode: mode);

        Assert.True(result.Verified, result.Error);
        Assert.True(proxy.Injected > 1);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(host.Store.Directory, "through-proxy.bin")));
    }

    /// <summary>Valid datagrams of every type, some with a genuine cookie for the fuzzing socket, to mutate.</summary>
    private static List<byte[]> Corpus(RawClient fuzzer)
    {
        var corpus = new List<byte[]>();
        byte[] b = new byte[Wire.MaxDatagramSize];
        void Add(int length) => corpus.Add(b.AsSpan(0, length).ToArray());

        var cookie = fuzzer.Handshake(Session);
        Add(MessageCodec.WriteHello(b, new HelloMessage(Session, 42)));
        Add(MessageCodec.WriteCookie(b, cookie));
        Add(MessageCodec.WriteOffer(b, new OfferMessage(Session, cookie.IssuedAtSeconds, cookie.Mac, 10_000, 1444, 0, "fuzz.bin")));
        Add(MessageCodec.WriteOffer(b, new OfferMessage(Session, cookie.IssuedAtSeconds, cookie.Mac, 100_000, 8000, 0, new string('n', 255))));
        Add(RawClient.WriteOffer(b, Session, cookie, 10_000, "../evil"u8));
        Add(RawClient.WriteOffer(b, Session, cookie, 10_000, new byte[300]));
        var random = new Random(7);
        for (ulong chunk = 0; chunk < 7; chunk++)
        {
            MessageCodec.WriteDataHeader(b, Session, chunk, (uint)chunk);
            int payload = chunk < 6 ? 1444 : 10_000 - (6 * 1444);
            random.NextBytes(MessageCodec.DataPayload(b)[..payload]);
            Add(MessageCodec.SealData(b, payload));
        }
        MessageCodec.WriteDataHeader(b, Session, ulong.MaxValue, 1);
        Add(MessageCodec.SealData(b, 1));
        // The digest never matches: even a transfer that survives mutation can never be stored.
        Add(MessageCodec.WriteFinish(b, new FinishMessage(Session, 10_000, 1)));
        Add(MessageCodec.WriteAbort(b, Session, RejectReason.Cancelled));
        Add(MessageCodec.WriteAccept(b, new AcceptMessage(Session, 0, 8192, 1444)));
        Add(MessageCodec.WriteAck(b, Session, 2, 1, 3, 1, 0, [0xff, 0x01, 0x80]));
        Add(MessageCodec.WriteDone(b, new DoneMessage(Session, RejectReason.None, 10_000, "ok")));
        Add(MessageCodec.WriteReject(b, new RejectMessage(Session, RejectReason.ServerBusy, "busy")));
        return corpus;
    }

    public void Dispose() => _folder.Dispose();
}
