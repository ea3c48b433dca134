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
        int n = MessageCodec.WriteOffer(_buffer, new OfferMessage(7, 0, 12345, 100, 1444, 0, 1, "x.bin"));
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
        int n = MessageCodec.WriteOffer(_buffer, new OfferMessage(7, cookie.IssuedAtSeconds, cookie.Mac, 100, 1444, 0, 1, "x.bin"));
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
        int n = MessageCodec.WriteOffer(_buffer, new OfferMessage(9, cookie.IssuedAtSeconds, cookie.Mac, 3000, 1444, 0, 1, "f.bin"));
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
        int n = MessageCodec.WriteOffer(_buffer, new OfferMessage(11, cookie.IssuedAtSeconds, cookie.Mac, 3000, 1444, 0, 1, "g.bin"));
        _server.Handle(_buffer.AsSpan(0, n), _client, 0, _replies);
        _server.Poll(31_000_000, _replies);
        Assert.Equal(SessionState.Failed, _server.Sessions[0].State);
        Assert.Equal(1, _store.Discarded);
        Assert.Empty(_store.Committed);
    }

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
        var offer = new OfferMessage(3, cookie.IssuedAtSeconds, cookie.Mac, size, 1444, 0, 1, name);
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
