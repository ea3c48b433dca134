using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Udpx.Protocol;

namespace Udpx.Tests.Reliability;

/// <summary>
/// A hand-driven udpx client on a loopback socket: builds datagrams with the codec (or raw bytes the real
/// client would never send), sends them to a running server and reads its replies.
/// </summary>
internal sealed class RawClient : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly byte[] _send = new byte[Wire.MaxDatagramSize];
    private readonly byte[] _receive = new byte[Wire.MaxDatagramSize + 1];

    public RawClient(IPEndPoint server)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.SendBufferSize = 4 << 20;
        _socket.ReceiveBufferSize = 4 << 20;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.Connect(server);
    }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        try
        {
            _socket.Send(datagram);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.NoBufferSpaceAvailable)
        {
            // An ICMP error from an earlier datagram, or a full queue: loopback loss, like any other.
        }
    }

    /// <summary>Hello until a Cookie for this session comes back.</summary>
    public CookieMessage Handshake(ulong sessionId)
    {
        int n = MessageCodec.WriteHello(_send, new HelloMessage(sessionId, 1));
        byte[] reply = Exchange(_send.AsSpan(0, n), sessionId, t => t == MessageType.Cookie);
        Assert.True(MessageCodec.TryReadCookie(reply, out var cookie));
        return cookie;
    }

    /// <summary>
    /// An offer built by the codec with an empty name, then given these exact name bytes and resealed: any
    /// length, any bytes, nothing the real client's checks would stop.
    /// </summary>
    public static int WriteOffer(Span<byte> buffer, ulong sessionId, CookieMessage cookie, ulong fileSize, ReadOnlySpan<byte> name, ushort chunkSize = 1444)
    {
        MessageCodec.WriteOffer(buffer, new OfferMessage(sessionId, cookie.IssuedAtSeconds, cookie.Mac, fileSize, chunkSize, 0, string.Empty));
        name.CopyTo(buffer[Wire.OfferFixedSize..]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[Wire.OfferNameLengthOffset..], (ushort)name.Length);
        int length = Wire.OfferFixedSize + name.Length;
        Checksum.Seal(buffer[..length]);
        return length;
    }

    /// <summary>Handshake, then the offer; returns the server's answer (Accept or Reject).</summary>
    public byte[] Offer(ulong sessionId, ulong fileSize, ReadOnlySpan<byte> name)
    {
        var cookie = Handshake(sessionId);
        int n = WriteOffer(_send, sessionId, cookie, fileSize, name);
        return Exchange(_send.AsSpan(0, n), sessionId, t => t is MessageType.Accept or MessageType.Reject);
    }

    public RejectMessage OfferExpectingReject(ulong sessionId, ulong fileSize, ReadOnlySpan<byte> name)
    {
        byte[] reply = Offer(sessionId, fileSize, name);
        Assert.True(MessageCodec.TryReadReject(reply, out var reject), "expected a Reject, got message type " + reply[2]);
        return reject;
    }

    /// <summary>Sends the request (again every 200 ms) until a reply of a wanted type for the session arrives.</summary>
    public byte[] Exchange(ReadOnlySpan<byte> request, ulong sessionId, Func<MessageType, bool> wanted)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < Patience)
        {
            Send(request);
            var resend = watch.Elapsed + TimeSpan.FromMilliseconds(200);
            while (watch.Elapsed < resend)
            {
                if (TryReceive(TimeSpan.FromMilliseconds(20), out byte[] reply)
                    && DatagramHeader.TryRead(reply, out var header) == DatagramStatus.Ok
                    && header.SessionId == sessionId
                    && wanted(header.Type))
                {
                    return reply;
                }
            }
        }
        throw new TimeoutException("no answer from the server for session " + sessionId);
    }

    public bool TryReceive(TimeSpan wait, out byte[] datagram)
    {
        datagram = [];
        try
        {
            if (!_socket.Poll((int)(wait.Ticks / 10), SelectMode.SelectRead))
            {
                return false;
            }
            int n = _socket.Receive(_receive);
            datagram = _receive.AsSpan(0, n).ToArray();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Reads replies until none arrives for <paramref name="quiet"/>; returns them.</summary>
    public List<byte[]> Drain(TimeSpan quiet)
    {
        var all = new List<byte[]>();
        while (TryReceive(quiet, out byte[] d))
        {
            all.Add(d);
        }
        return all;
    }

    public void Dispose() => _socket.Dispose();
}
