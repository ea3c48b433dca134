using System.Net;
using Udpx.Protocol;
using Udpx.Server;

namespace Udpx.Tests.Protocol;

/// <summary>
/// A hand-driven client of a <see cref="ServerProtocol"/> under a virtual clock: builds each datagram with
/// the codec, signs it when a key is given, hands it to the server and records it, so that a test can
/// replay exactly what went on the wire. Replies are kept with their tags removed.
/// </summary>
internal sealed class ServerPeer(ServerProtocol server, SocketAddress address, PreSharedKey? key = null) : IDatagramSink
{
    public const int ChunkSize = 1444;

    private readonly DatagramAuthenticator? _auth = key is null ? null : DatagramAuthenticator.ForClient(key);
    private readonly byte[] _buffer = new byte[Wire.MaxDatagramSize];

    // One counter for every datagram this peer sends: strictly increasing within each of its sessions.
    private ulong _packet;

    public ServerPeer(ServerProtocol server, int port, PreSharedKey? key = null)
        : this(server, new IPEndPoint(IPAddress.Loopback, port).Serialize(), key)
    {
    }

    public SocketAddress Address => address;

    /// <summary>Every datagram this peer sent, as it went on the wire.</summary>
    public List<byte[]> Sent { get; } = [];

    public List<byte[]> Replies { get; } = [];

    public long Now { get; set; }

    public CookieMessage Hello(ulong session)
    {
        Send(MessageCodec.WriteHello(_buffer, new HelloMessage(session, 0, _packet++)));
        Assert.True(MessageCodec.TryReadCookie(Last(MessageType.Cookie), out var cookie));
        return cookie;
    }

    /// <param name="identity">The client's identity of this version of the file (0: never resumed).</param>
    public void Offer(ulong session, CookieMessage cookie, long size, string name, UInt128 identity = default) =>
        Send(MessageCodec.WriteOffer(_buffer, new OfferMessage(session, cookie.IssuedAtSeconds, cookie.Mac, (ulong)size, ChunkSize, 0, name, 0, _packet++, identity)));

    /// <summary>Hello, then the offer: the count of replies before the offer is returned, to look at what it drew.</summary>
    public int Open(ulong session, long size, string name, UInt128 identity = default)
    {
        var cookie = Hello(session);
        int before = Replies.Count;
        Offer(session, cookie, size, name, identity);
        return before;
    }

    public void Chunk(ulong session, byte[] file, ulong chunk)
    {
        int offset = (int)chunk * ChunkSize;
        int length = Math.Min(ChunkSize, file.Length - offset);
        MessageCodec.WriteDataHeader(_buffer, session, chunk, 1, _packet++);
        file.AsSpan(offset, length).CopyTo(MessageCodec.DataPayload(_buffer));
        if (_auth is null)
        {
            Send(MessageCodec.SealData(_buffer, length));
        }
        else
        {
            Send(Wire.DataHeaderSize + length);
        }
    }

    public void Finish(ulong session, byte[] file) =>
        Send(MessageCodec.WriteFinish(_buffer, new FinishMessage(session, (ulong)file.Length, ChunkDigest.Of(file, ChunkSize), _packet++)));

    public void Abort(ulong session) => Send(MessageCodec.WriteAbort(_buffer, session, RejectReason.Cancelled, _packet++));

    /// <summary>A whole transfer: handshake, offer, every chunk, the Finish.</summary>
    public void Transfer(ulong session, byte[] file, string name)
    {
        Open(session, file.Length, name);
        Assert.Equal(MessageType.Accept, (MessageType)Replies[^1][2]);
        for (ulong chunk = 0; chunk * ChunkSize < (ulong)file.Length; chunk++)
        {
            Chunk(session, file, chunk);
        }
        Finish(session, file);
        server.Poll(Now, this);
    }

    /// <summary>Hands recorded datagrams to the server again, byte for byte.</summary>
    public void Replay(IEnumerable<byte[]> datagrams)
    {
        foreach (byte[] datagram in datagrams)
        {
            server.Handle(datagram, address, Now, this);
        }
        server.Poll(Now, this);
    }

    public byte[] Last(MessageType type) => Replies.Last(d => d[2] == (byte)type);

    public int Count(MessageType type) => Replies.Count(d => d[2] == (byte)type);

    void IDatagramSink.Send(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        Assert.True(to.Equals(address), "a reply went to another address");
        if (_auth is not null)
        {
            Assert.True(_auth.Verify(datagram, out int length), "a reply without a valid tag");
            datagram = datagram[..length];
        }
        Replies.Add(datagram.ToArray());
    }

    /// <summary>Signs (when keyed) what the buffer holds, records it and hands it to the server.</summary>
    private void Send(int length)
    {
        if (_auth is not null)
        {
            length = _auth.Sign(_buffer, length);
        }
        byte[] datagram = _buffer.AsSpan(0, length).ToArray();
        Sent.Add(datagram);
        server.Handle(datagram, address, Now, this);
    }
}
