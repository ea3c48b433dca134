using System.Net;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>The server protocol driven datagram by datagram, with its replies captured.</summary>
public sealed class ServerProtocolTests : IDisposable
{
    private readonly MemoryFileStore _store = new();
    private readonly ServerProtocol _server;
    private readonly Replies _replies = new();
    private readonly SocketAddress _client = new IPEndPoint(IPAddress.Loopback, 5000).Serialize();
    private readonly byte[] _buffer = new byte[Wire.MaxDatagramSize];

    public ServerProtocolTests() => _server = new ServerProtocol(new ServerOptions { MaxFileSize = 1_000_000 }, _store);

    [Fact]
    public void No_state_is_kept_before_the_cookie_comes_back()
    {
        for (int i = 0; i < 1000; i++)
        {
            int n = MessageCodec.WriteHello(_buffer, new HelloMessage((ulong)i, 0));
            _server.Handle(_buffer.AsSpan(0, n), _client, 0, _replies);
        }
        Assert.Empty(_server.Sessions);
        Assert.Equal(1000, _replies.Count(MessageType.Cookie));
        Assert.All(_replies.All, r => Assert.True(r.Length <= Wire.HelloSize));
    }

    [Fact]
    public void An_offer_with_a_forged_cookie_gets_silence_and_no_session()
    {
        int n = MessageCodec.WriteOffer(_buffer, new OfferMessage(7, 0, 12345, 100, 1444, 0, "x.bin"));
        _server.Handle(_buffer.AsSpan(0, n), _client, 1_000_000, _replies);
        Assert.Empty(_server.Sessions);
        Assert.Empty(_replies.All);
        Assert.Equal(1, _server.Stats.BadCookie);
    }

    [Fact]
    public void A_cookie_issued_to_another_address_is_refused()
    {
        var cookie = Handshake(7);
        var other = new IPEndPoint(IPAddress.Loopback, 5001).Serialize();
        int n = MessageCodec.WriteOffer(_buffer, new OfferMessage(7, cookie.IssuedAtSeconds, cookie.Mac, 100, 1444, 0, "x.bin"));
        _server.Handle(_buffer.AsSpan(0, n), other, 0, _replies);
        Assert.Empty(_server.Sessions);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/etc/x")]
    [InlineData("..\\x")]
    [InlineData("a\0b")]
    [InlineData("bell\u0007")]
    [InlineData("..")]
    [InlineData("")]
    public void Hostile_names_are_refused_with_a_reason(string name)
    {
        var reject = OfferAndExpectReject(name, 100);
        Assert.Equal(RejectReason.NameRejected, reject.Reason);
        Assert.StartsWith("name rejected", reject.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_over_the_limit_is_refused_as_too_large()
    {
        var reject = OfferAndExpectReject("big.bin", 2_000_000);
        Assert.Equal(RejectReason.TooLarge, reject.Reason);
    }

    [Fact]
    public void Truncated_data_and_data_from_another_address_are_dropped_unwritten()
    {
        var cookie = Handshake(9);
        int n = MessageCodec.WriteOffer(_buffer, new OfferMessage(9, cookie.IssuedAtSeconds, cookie.Mac, 3000, 1444, 0, "f.bin"));
        _server.Handle(_buffer.AsSpan(0, n), _client, 0, _replies);
        Assert.Single(_server.Sessions);

        MessageCodec.WriteDataHeader(_buffer, 9, 0, 1);
        n = MessageCodec.SealData(_buffer, 1000);
        _server.Handle(_buffer.AsSpan(0, n), _client, 0, _replies);
        Assert.Equal(1, _server.Stats.Malformed);

        MessageCodec.WriteDataHeader(_buffer, 9, 0, 1);
        n = MessageCodec.SealData(_buffer, 1444);
        _server.Handle(_buffer.AsSpan(0, n), new IPEndPoint(IPAddress.Loopback, 6000).Serialize(), 0, _replies);
        Assert.Equal(1, _server.Stats.WrongPeer);

        MessageCodec.WriteDataHeader(_buffer, 9, 99, 1);
        n = MessageCodec.SealData(_buffer, 1444);
        _server.Handle(_buffer.AsSpan(0, n), _client, 0, _replies);
        Assert.Equal(2, _server.Stats.Malformed);
        Assert.Equal(0, _store.WriteCalls);
    }

    [Fact]
    public void An_idle_session_expires_and_its_file_is_discarded()
    {
        var cookie = Handshake(11);
        int n = MessageCodec.WriteOffer(_buffer, new OfferMessage(11, cookie.IssuedAtSeconds, cookie.Mac, 3000, 1444, 0, "g.bin"));
        _server.Handle(_buffer.AsSpan(0, n), _client, 0, _replies);
        _server.Poll(31_000_000, _replies);
        Assert.Equal(SessionState.Failed, _server.Sessions[0].State);
        Assert.Equal(1, _store.Discarded);
        Assert.Empty(_store.Committed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_file_is_stored_once_it_is_whole_and_a_Finish_names_its_digest(bool finishBeforeLastChunk)
    {
        byte[] file = Simulation.RandomFile(3000, 5);
        _store.ChunkSize = 1444;
        Accept(21, "d.bin", file.Length);
        var finish = new FinishMessage(21, (ulong)file.Length, ChunkDigest.Of(file, 1444));

        // Chunk 0 comes last, so chunks 1 and 2 wait in the hash ring until the prefix is whole.
        SendChunk(21, file, 2);
        SendChunk(21, file, 1);
        if (finishBeforeLastChunk)
        {
            Send(MessageCodec.WriteFinish(_buffer, finish));
            Assert.Equal(SessionState.Receiving, _server.Sessions[0].State);
        }
        SendChunk(21, file, 0);
        if (!finishBeforeLastChunk)
        {
            _server.Poll(1_000, _replies);
            Assert.Equal(SessionState.Receiving, _server.Sessions[0].State); // whole, but nothing to compare with yet
            Assert.Empty(_store.Committed);
            Send(MessageCodec.WriteFinish(_buffer, finish));
        }
        _server.Poll(2_000, _replies);

        Assert.Equal(SessionState.Done, _server.Sessions[0].State);
        Assert.Equal(file, _store.Committed["d.bin"]);
        Assert.Equal(1, _store.CheckedCommits);
        Assert.True(MessageCodec.TryReadDone(_replies.Last(MessageType.Done), out var done));
        Assert.Equal(RejectReason.None, done.Reason);
    }

    [Fact]
    public void A_Finish_naming_another_digest_discards_the_file()
    {
        byte[] file = Simulation.RandomFile(3000, 6);
        Accept(22, "e.bin", file.Length);
        SendChunks(22, file);
        file[2999] ^= 1; // the client read a different byte than it sent
        Send(MessageCodec.WriteFinish(_buffer, new FinishMessage(22, (ulong)file.Length, ChunkDigest.Of(file, 1444))));
        _server.Poll(1_000, _replies);

        Assert.Equal(SessionState.Failed, _server.Sessions[0].State);
        Assert.Empty(_store.Committed);
        Assert.Equal(1, _store.Discarded);
        Assert.True(MessageCodec.TryReadDone(_replies.Last(MessageType.Done), out var done));
        Assert.Equal(RejectReason.DigestMismatch, done.Reason);
    }

    [Fact]
    public void A_Finish_for_another_file_size_is_ignored()
    {
        byte[] file = Simulation.RandomFile(3000, 7);
        Accept(23, "f.bin", file.Length);
        SendChunks(23, file);
        Send(MessageCodec.WriteFinish(_buffer, new FinishMessage(23, 2999, ChunkDigest.Of(file, 1444))));

        Assert.Equal(SessionState.Receiving, _server.Sessions[0].State);
        Assert.Equal(1, _server.Stats.Malformed);
    }

    private void Accept(ulong session, string name, int size)
    {
        var cookie = Handshake(session);
        Send(MessageCodec.WriteOffer(_buffer, new OfferMessage(session, cookie.IssuedAtSeconds, cookie.Mac, (ulong)size, 1444, 0, name)));
        Assert.True(MessageCodec.TryReadAccept(_replies.Last(MessageType.Accept), out _));
    }

    private void SendChunk(ulong session, byte[] file, ulong chunk)
    {
        int offset = (int)chunk * 1444;
        int length = Math.Min(1444, file.Length - offset);
        MessageCodec.WriteDataHeader(_buffer, session, chunk, 1);
        file.AsSpan(offset, length).CopyTo(MessageCodec.DataPayload(_buffer));
        Send(MessageCodec.SealData(_buffer, length));
    }

    private void SendChunks(ulong session, byte[] file)
    {
        for (ulong chunk = 0; chunk * 1444 < (ulong)file.Length; chunk++)
        {
            SendChunk(session, file, chunk);
        }
    }

    private void Send(int length) => _server.Handle(_buffer.AsSpan(0, length), _client, 0, _replies);

    private CookieMessage Handshake(ulong session)
    {
        int n = MessageCodec.WriteHello(_buffer, new HelloMessage(session, 0));
        _server.Handle(_buffer.AsSpan(0, n), _client, 0, _replies);
        Assert.True(MessageCodec.TryReadCookie(_replies.Last(MessageType.Cookie), out var cookie));
        return cookie;
    }

    private RejectMessage OfferAndExpectReject(string name, ulong size)
    {
        var cookie = Handshake(3);
        var offer = new OfferMessage(3, cookie.IssuedAtSeconds, cookie.Mac, size, 1444, 0, name);
        int n = MessageCodec.WriteOffer(_buffer, offer);
        _server.Handle(_buffer.AsSpan(0, n), _client, 0, _replies);
        Assert.Empty(_server.Sessions);
        Assert.True(MessageCodec.TryReadReject(_replies.Last(MessageType.Reject), out var reject));
        return reject;
    }

    public void Dispose() => _server.Dispose();

    private sealed class Replies : IDatagramSink
    {
        public List<byte[]> All { get; } = [];

        public void Send(ReadOnlySpan<byte> datagram, SocketAddress to) => All.Add(datagram.ToArray());

        public int Count(MessageType type) => All.Count(d => d[2] == (byte)type);

        public byte[] Last(MessageType type) => All.Last(d => d[2] == (byte)type);
    }
}
