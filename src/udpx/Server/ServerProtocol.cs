using System.Net;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>
/// The receiving side of udpx for any number of clients, free of sockets: handshake with stateless
/// cookies, sessions created only for proven addresses, data written where it belongs, selective
/// acknowledgements, verification, expiry. One thread drives it through <see cref="Handle"/> and <see cref="Poll"/>.
/// </summary>
internal sealed partial class ServerProtocol : IDisposable
{
    private readonly ServerOptions _options;
    private readonly IFileStore _store;
    private readonly IServerObserver _observer;
    private readonly CookieJar _cookies;
    private readonly Dictionary<ulong, ReceiverSession> _sessions = [];
    private readonly byte[] _reply = new byte[Wire.MaxDatagramSize];
    private readonly byte[] _plain = new byte[Wire.MaxDatagramSize];
    private readonly List<ulong> _expired = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _ackDelay;
    private readonly DatagramAuthenticator? _auth;
    private readonly int _tag;
    private ReceiverSession[] _sessionList = [];
    private int _active;

    public ServerProtocol(ServerOptions options, IFileStore store, IServerObserver? observer = null)
    {
        _options = options;
        _store = store;
        _observer = observer ?? NullServerObserver.Instance;
        _cookies = new CookieJar(options.CookieLifetime);
        _ackDelay = (long)(options.AckDelay.Ticks / 10);
        _auth = options.Key is { } key ? DatagramAuthenticator.ForServer(key) : null;
        _tag = _auth is null ? 0 : DatagramAuthenticator.TagSize;
    }

    public ServerStats Stats { get; } = new();

    /// <summary>Recent data datagrams of every session, for the live stream pane; null to skip.</summary>
    public Engine.DatagramRing? Stream { get; init; }

    /// <summary>A copy of the session list, safe to read from any thread.</summary>
    public IReadOnlyList<ReceiverSession> Sessions => Volatile.Read(ref _sessionList);

    public int ActiveSessions => Volatile.Read(ref _active);

    public void Handle(ReadOnlySpan<byte> datagram, SocketAddress from, long now, IDatagramSink sink)
    {
        Stats.Received(datagram.Length);
        var status = DatagramHeader.TryRead(datagram, out var header, out ulong payloadHash);
        if (status != DatagramStatus.Ok)
        {
            CountBad(status, datagram, from);
            return;
        }
        // The checksum's payload hash is the chunk hash only when no tag follows the file bytes.
        bool chunkHashKnown = (datagram[3] & (PayloadCipher.Flag | DatagramAuthenticator.Flag)) == 0;
        if ((datagram[3] & PayloadCipher.Flag) != 0)
        {
            // Encrypted file bytes: the GCM tag both authenticates and decrypts.
            if (!TryDecrypt(datagram, header.SessionId, from, out int plainLength))
            {
                Stats.CountUnauthenticated();
                return;
            }
            datagram = _plain.AsSpan(0, plainLength);
        }
        else if (_auth is not null)
        {
            if (!_auth.Verify(datagram, out int messageLength))
            {
                Stats.CountUnauthenticated();
                return;
            }
            datagram = datagram[..messageLength];
        }
        else if ((datagram[3] & DatagramAuthenticator.Flag) != 0)
        {
            // Signed by a client that has a key this server was not given.
            Stats.CountUnauthenticated();
            return;
        }
        if (_auth is not null && header.Type is MessageType.Data or MessageType.Finish or MessageType.Abort && IsReplay(header, from))
        {
            Stats.CountReplay();
            return;
        }
        switch (header.Type)
        {
            case MessageType.Data:
                OnData(datagram, header, chunkHashKnown ? payloadHash : null, from, now, sink);
                break;
            case MessageType.Hello:
                OnHello(datagram, from, now, sink);
                break;
            case MessageType.Offer:
                OnOffer(datagram, from, now, sink);
                break;
            case MessageType.Finish:
                OnFinish(datagram, from, now, sink);
                break;
            case MessageType.Abort:
                OnAbort(datagram, from, now);
                break;
            default:
                Stats.CountMalformed();
                break;
        }
    }

    /// <summary>
    /// Handles what one receive returned when the kernel coalesces datagrams (UDP GRO): datagrams of one
    /// sender, all of one size but the last. The size follows from the first datagram's own header.
    /// </summary>
    public void HandleCoalesced(ReadOnlySpan<byte> buffer, SocketAddress from, long now, IDatagramSink sink)
    {
        if (buffer.IsEmpty)
        {
            // An empty datagram is never coalesced with others; count it like any foreign datagram.
            Handle(buffer, from, now, sink);
            return;
        }
        while (buffer.Length > 0)
        {
            int size = SegmentSize(buffer);
            int take = Math.Min(size, buffer.Length);
            Handle(buffer[..take], from, now, sink);
            buffer = buffer[take..];
        }
    }

    /// <summary>The length a datagram starting at <paramref name="buffer"/> has; the whole buffer when unknown.</summary>
    private int SegmentSize(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < Wire.HeaderSize || buffer[0] != Wire.Magic)
        {
            return buffer.Length;
        }
        int size = (MessageType)buffer[2] switch
        {
            MessageType.Data when _sessions.TryGetValue(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(buffer[8..]), out var s) => s.ChunkSize + Wire.DataHeaderSize + _tag,
            MessageType.Hello => Wire.HelloSize + _tag,
            MessageType.Finish => Wire.FinishSize + _tag,
            MessageType.Abort => Wire.AbortSize + _tag,
            MessageType.Offer when buffer.Length >= Wire.OfferFixedSize => Wire.OfferFixedSize + System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(buffer[Wire.OfferNameLengthOffset..]) + _tag,
            _ => buffer.Length,
        };
        return size <= 0 ? buffer.Length : size;
    }

    private bool TryDecrypt(ReadOnlySpan<byte> datagram, ulong sessionId, SocketAddress from, out int length)
    {
        length = 0;
        if (_options.Key is not { } key || datagram[2] != (byte)MessageType.Data
            || !_sessions.TryGetValue(sessionId, out var session) || !session.Peer.Equals(from))
        {
            return false;
        }
        session.Cipher ??= new PayloadCipher(key, session.Id, session.Packets.ClientRandom, session.Packets.ServerRandom);
        return session.Cipher.TryOpen(datagram, _plain, out length);
    }

    /// <summary>
    /// Keyed sessions: an authenticated datagram whose packet number the session already saw, or that is
    /// older than its window, is a replay. Datagrams for no session of this client go on (and get the
    /// unknown-session answer); the window moves only once the datagram has proved itself genuine.
    /// </summary>
    private bool IsReplay(in DatagramHeader header, SocketAddress from) =>
        _sessions.TryGetValue(header.SessionId, out var session) && session.Peer.Equals(from)
        && session.Packets.Replay is { } replay && !replay.TryAccept(header.PacketNumber);

    /// <summary>Timers: delayed acknowledgements, finished verifications, idle expiry, lingering results.</summary>
    public void Poll(long now, IDatagramSink sink)
    {
        foreach (var session in _sessions.Values)
        {
            switch (session.State)
            {
                case SessionState.Receiving:
                    if (session.UnackedNew > 0 && now - session.LastAckAt >= _ackDelay)
                    {
                        SendAck(session, now, sink);
                    }
                    if (now - session.LastActivity >= Micros(_options.IdleTimeout))
                    {
                        session.File.Discard();
                        EndSession(session, RejectReason.Expired, "no datagram from the client for " + _options.IdleTimeout.TotalSeconds + " s", now, sink);
                    }
                    break;
                case SessionState.Verifying when session.Verification is { IsCompleted: true } verification:
                    var result = verification.IsCompletedSuccessfully ? verification.Result : RejectReason.IoError;
                    EndSession(session, result, RejectReasonText.Describe(result), now, sink);
                    break;
                case SessionState.Done or SessionState.Failed when now - session.FinishedAt >= Micros(_options.Linger):
                    _expired.Add(session.Id);
                    break;
            }
        }
        if (_expired.Count > 0)
        {
            foreach (ulong id in _expired)
            {
                _sessions.Remove(id);
            }
            _expired.Clear();
            PublishSessionList();
        }
    }

    /// <summary>Sends the reply written in the reply buffer, signed when the server has a key.</summary>
    private void Reply(int length, SocketAddress to, IDatagramSink sink)
    {
        if (_auth is not null)
        {
            length = _auth.Sign(_reply, length);
        }
        sink.Send(_reply.AsSpan(0, length), to);
    }

    /// <summary>A reply to a datagram not yet tied to a proven session: sent only if no larger than its cause (no amplification).</summary>
    private void ReplyNoLarger(int length, int causeLength, SocketAddress to, IDatagramSink sink)
    {
        if (length + _tag <= causeLength)
        {
            Reply(length, to, sink);
        }
    }

    private void CountBad(DatagramStatus status, ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        switch (status)
        {
            case DatagramStatus.BadChecksum:
                Stats.CountBadChecksum();
                // Attribute it to a session when the claimed id and the sender both match.
                if (datagram.Length >= Wire.HeaderSize
                    && _sessions.TryGetValue(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(datagram[8..]), out var session)
                    && session.Peer.Equals(from))
                {
                    session.CountCorrupt();
                }
                break;
            case DatagramStatus.NotUdpx:
                Stats.CountNotUdpx();
                break;
            default:
                Stats.CountMalformed();
                break;
        }
    }

    private void PublishSessionList()
    {
        var list = new ReceiverSession[_sessions.Count];
        _sessions.Values.CopyTo(list, 0);
        Volatile.Write(ref _sessionList, list);
    }

    private static ulong Seconds(long micros) => (ulong)(micros / 1_000_000);

    private static long Micros(TimeSpan span) => span.Ticks / 10;

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var session in _sessions.Values)
        {
            if (session.State is SessionState.Receiving or SessionState.Verifying)
            {
                session.File.Discard();
                session.Pending.Dispose();
            }
        }
        _stopping.Dispose();
    }
}
