using System.Diagnostics;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>
/// Two receive threads of one server (two <see cref="ServerProtocol"/>s on one <see cref="SessionBudget"/> and
/// one folder), driven by hand: a client that comes back from a new port lands on the other thread than its
/// dead session. The same file from the same address takes that session over (its owner sets it aside, the
/// new thread resumes its partial file); another version of the file does not. Only the owner ever ends it.
/// </summary>
public sealed class ReceiveThreadTakeoverTests : IDisposable
{
    private const int Chunks = 40;
    private static readonly UInt128 Identity = 0x1234_5678_9abc_def0;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly TempFolder _folder = new();
    private readonly DirectoryFileStore _store;
    private readonly SessionBudget _budget;
    private readonly ServerProtocol _first;
    private readonly ServerProtocol _second;
    private readonly byte[] _file = Simulation.RandomFile(Chunks * ServerPeer.ChunkSize - 100, 7);

    public ReceiveThreadTakeoverTests()
    {
        _store = new DirectoryFileStore(_folder.File("out"));
        _store.EnsureWritable();
        var options = new ServerOptions();
        _budget = new SessionBudget(options);
        _first = new ServerProtocol(options, _store, budget: _budget);
        _second = new ServerProtocol(options, _store, budget: _budget);
    }

    [Fact]
    public void The_same_file_from_the_same_address_on_another_thread_takes_over_and_resumes()
    {
        var dead = new ServerPeer(_first, 40001);
        var back = new ServerPeer(_second, 40002);
        Accept(dead, _first, 11, Identity);
        for (ulong chunk = 0; chunk < Chunks / 2; chunk++)
        {
            dead.Chunk(11, _file, chunk);
        }

        // The second thread cannot end the first one's session: it answers busy and asks the owner.
        back.Open(12, _file.Length, "big.bin", Identity);
        Assert.Equal(RejectReason.ServerBusy, Reject(back.Replies[^1]).Reason);
        Assert.Equal(SessionState.Receiving, _first.Sessions.Single().State);

        // At its next poll the owner sets its session aside (its client hears "cancelled").
        _first.Poll(dead.Now, dead);
        Assert.True(MessageCodec.TryReadDone(dead.Last(MessageType.Done), out var done));
        Assert.Equal(RejectReason.Cancelled, done.Reason);

        // Asked again (as a busy client does), the new offer continues the partial file once it is written out.
        var accept = Accept(back, _second, 12, Identity);
        Assert.Equal((ulong)Chunks / 2, accept.ResumeFromChunk);
        for (ulong chunk = accept.ResumeFromChunk; chunk < Chunks; chunk++)
        {
            back.Chunk(12, _file, chunk);
        }
        back.Finish(12, _file);
        WaitFor(() => back.Count(MessageType.Done) > 0, _second, back);

        Assert.True(MessageCodec.TryReadDone(back.Last(MessageType.Done), out var stored));
        Assert.Equal(RejectReason.None, stored.Reason);
        Assert.Equal(_file, File.ReadAllBytes(Path.Combine(_store.Directory, "big.bin")));
        Assert.Equal(0, _budget.Active);
        Assert.Equal(0, _budget.Names.Count);
        Assert.Empty(Directory.GetFiles(_store.Directory, ".udpx-*"));
    }

    [Theory]
    [InlineData("other identity")]
    [InlineData("other size")]
    [InlineData("other address")]
    public void Another_file_or_client_on_another_thread_is_refused_and_the_session_goes_on(string kind)
    {
        var first = new ServerPeer(_first, 40001);
        var other = kind == "other address"
            ? new ServerPeer(_second, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.0.2"), 40002).Serialize())
            : new ServerPeer(_second, 40002);
        Accept(first, _first, 21, Identity);
        first.Chunk(21, _file, 0);

        other.Open(22, kind == "other size" ? _file.Length + 1 : _file.Length, "big.bin", kind == "other identity" ? Identity + 1 : Identity);
        _first.Poll(first.Now, first);
        _second.Poll(other.Now, other);

        Assert.Equal(RejectReason.NameBusy, Reject(other.Replies[^1]).Reason);
        Assert.Equal(SessionState.Receiving, _first.Sessions.Single().State);
        Assert.Equal(0, first.Count(MessageType.Done));
        Assert.Equal(1, _budget.Active);
    }

    /// <summary>Offers until the Accept comes: a busy answer (a name still being set aside) is asked again, as the client does.</summary>
    private static AcceptMessage Accept(ServerPeer peer, ServerProtocol server, ulong session, UInt128 identity)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            int before = peer.Open(session, PeerFileSize, "big.bin", identity);
            while (peer.Replies.Count == before && watch.Elapsed < Patience)
            {
                // Preparing: silent until the file is made off the thread.
                Thread.Sleep(5);
                server.Poll(peer.Now, peer);
            }
            byte[] reply = peer.Replies[^1];
            if (MessageCodec.TryReadAccept(reply, out var accept))
            {
                return accept;
            }
            Assert.Equal(RejectReason.ServerBusy, Reject(reply).Reason);
            Assert.True(watch.Elapsed < Patience, "still busy after " + Patience);
            Thread.Sleep(5);
            server.Poll(peer.Now, peer);
        }
    }

    private static long PeerFileSize => Chunks * ServerPeer.ChunkSize - 100;

    private static RejectMessage Reject(byte[] reply)
    {
        Assert.True(MessageCodec.TryReadReject(reply, out var reject), "not a Reject: type " + reply[2]);
        return reject;
    }

    private static void WaitFor(Func<bool> condition, ServerProtocol server, ServerPeer peer)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < Patience, "gave up after " + Patience);
            Thread.Sleep(5);
            server.Poll(peer.Now, peer);
        }
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        _store.WaitForBackgroundWork(TimeSpan.FromSeconds(10));
        _folder.Dispose();
    }
}
