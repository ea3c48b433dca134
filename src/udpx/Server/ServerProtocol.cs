using System.Net;
using System.Numerics;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>
/// The receiving side of udpx for any number of clients, free of sockets: handshake with stateless
/// cookies, sessions created only for proven addresses, data written where it belongs, selective
/// acknowledgements, verification, expiry. One thread drives it through <see cref="Handle"/> and <see cref="Poll"/>.
/// </summary>
internal sealed class ServerProtocol : IDisposable
{
    private readonly ServerOptions _options;
    private readonly IFileStore _store;
    private readonly IServerObserver _observer;
    private readonly CookieJar _cookies;
    private readonly Dictionary<ulong, ReceiverSession> _sessions = [];
    private readonly byte[] _reply = new byte[Wire.MaxDatagramSize];
    private readonly byte[] _readBack = new byte[WriteBehind.Capacity];
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
        var status = DatagramHeader.TryRead(datagram, out var header);
        if (status != DatagramStatus.Ok)
        {
            CountBad(status, datagram, from);
            return;
        }
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
        switch (header.Type)
        {
            case MessageType.Data:
                OnData(datagram, header.SessionId, from, now, sink);
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
            MessageType.Offer when buffer.Length >= Wire.OfferFixedSize => Wire.OfferFixedSize + System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(buffer[60..]) + _tag,
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
        session.Cipher ??= new PayloadCipher(key, session.Id);
        return session.Cipher.TryOpen(datagram, _plain, out length);
    }

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

    private void OnHello(ReadOnlySpan<byte> datagram, SocketAddress from, long now, IDatagramSink sink)
    {
        if (!MessageCodec.TryReadHello(datagram, out var hello))
        {
            Stats.CountMalformed();
            return;
        }
        ulong issuedAt = Seconds(now);
        ulong mac = _cookies.Issue(from, hello.SessionId, issuedAt);
        int length = MessageCodec.WriteCookie(_reply, new CookieMessage(hello.SessionId, hello.ClientTimeMicros, issuedAt, mac));
        Reply(length, from, sink);
    }

    private void OnOffer(ReadOnlySpan<byte> datagram, SocketAddress from, long now, IDatagramSink sink)
    {
        if (!MessageCodec.TryReadOffer(datagram, out var offer, out bool validName))
        {
            Stats.CountMalformed();
            return;
        }
        if (_sessions.TryGetValue(offer.SessionId, out var existing))
        {
            if (!existing.Peer.Equals(from))
            {
                Stats.CountWrongPeer();
                return;
            }
            // The Accept was lost: say it again (or the result, if already known).
            if (existing.State is SessionState.Done or SessionState.Failed)
            {
                SendDone(existing, sink);
            }
            else
            {
                SendAccept(existing, sink);
            }
            return;
        }
        if (!_cookies.IsValid(from, offer.SessionId, offer.CookieIssuedAtSeconds, offer.CookieMac, Seconds(now)))
        {
            Stats.CountBadCookie();
            // Only a cookie we issued ourselves and that merely aged earns an answer; forgeries get silence.
            if (offer.CookieIssuedAtSeconds + _cookies.LifetimeSeconds < Seconds(now)
                && _cookies.Issue(from, offer.SessionId, offer.CookieIssuedAtSeconds) == offer.CookieMac)
            {
                Refuse(offer.SessionId, RejectReason.CookieExpired, string.Empty, from, sink, offer.Name);
            }
            return;
        }

        int datagramSize = offer.ChunkSize + Wire.DataHeaderSize + _tag;
        if (datagramSize is < Wire.MinDatagramSize or > Wire.MaxDatagramSize)
        {
            Refuse(offer.SessionId, RejectReason.BadOffer, "chunk size " + offer.ChunkSize + " out of range", from, sink, offer.Name);
            return;
        }
        string why = "not valid UTF-8";
        if (!validName || !FileNamePolicy.IsAcceptable(offer.Name, out why))
        {
            Refuse(offer.SessionId, RejectReason.NameRejected, "name rejected: " + why, from, sink, offer.Name);
            return;
        }
        if (offer.FileSize > (ulong)_options.MaxFileSize)
        {
            Refuse(offer.SessionId, RejectReason.TooLarge, "file of " + offer.FileSize + " bytes exceeds the server limit of " + _options.MaxFileSize + " bytes", from, sink, offer.Name);
            return;
        }
        if (_active >= _options.MaxSessions)
        {
            Refuse(offer.SessionId, RejectReason.ServerBusy, "server busy: " + _active + " sessions in progress", from, sink, offer.Name);
            return;
        }
        var reason = _store.TryCreate(offer.Name, (long)offer.FileSize, offer.SessionId, out var file);
        if (reason != RejectReason.None || file is null)
        {
            Refuse(offer.SessionId, reason, RejectReasonText.Describe(reason), from, sink, offer.Name);
            return;
        }

        ulong chunks = offer.FileSize == 0 ? 0 : (offer.FileSize + offer.ChunkSize - 1) / offer.ChunkSize;
        int window = (int)Math.Min((ulong)WindowFor(offer.ChunkSize), BitOperations.RoundUpToPowerOf2(Math.Max(64UL, chunks)));
        var session = new ReceiverSession(offer.SessionId, from, offer, file, window, now);
        _sessions.Add(session.Id, session);
        Volatile.Write(ref _active, _active + 1);
        PublishSessionList();
        _observer.SessionStarted(session);
        SendAccept(session, sink);
        if (session.Window.IsComplete)
        {
            StartVerification(session, now, sink);
        }
    }

    private void OnData(ReadOnlySpan<byte> datagram, ulong sessionId, SocketAddress from, long now, IDatagramSink sink)
    {
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            Stats.CountUnknownSession();
            // A small answer (never larger than the datagram) lets a client whose server restarted give up quickly.
            int length = MessageCodec.WriteReject(_reply, new RejectMessage(sessionId, RejectReason.UnknownSession, string.Empty));
            Reply(length, from, sink);
            return;
        }
        if (!session.Peer.Equals(from))
        {
            Stats.CountWrongPeer();
            return;
        }
        if (!MessageCodec.TryReadData(datagram, out ulong chunk, out uint sendTime, out var payload))
        {
            Stats.CountMalformed();
            return;
        }
        session.LastActivity = now;
        if (session.State != SessionState.Receiving)
        {
            if (session.State is SessionState.Done or SessionState.Failed)
            {
                SendDone(session, sink);
            }
            return;
        }

        switch (session.Window.Classify(chunk))
        {
            case Engine.ChunkStatus.New:
                long offset = (long)chunk * session.ChunkSize;
                int expected = (int)Math.Min(session.ChunkSize, session.FileSize - offset);
                if (payload.Length != expected)
                {
                    Stats.CountMalformed();
                    return;
                }
                try
                {
                    session.Pending.Write(session.File, offset, payload);
                }
                catch (IOException ex)
                {
                    FailOnDisk(session, ex, now, sink);
                    return;
                }
                bool inOrder = chunk == session.Window.Cumulative;
                if (session.Hasher is { } hasher && offset == session.HashedUpTo)
                {
                    hasher.Append(payload);
                    session.HashedUpTo += payload.Length;
                }
                session.Window.Mark(chunk);
                if (session.Hasher is not null && session.HashedUpTo < CompleteBytes(session))
                {
                    if (!CatchUpDigest(session, now, sink))
                    {
                        return;
                    }
                }
                session.CountNew(payload.Length);
                session.UnackedNew++;
                if (!inOrder || session.Window.Highest > session.Window.Cumulative)
                {
                    // A gap: tell the sender soon, but not for every datagram.
                    session.AckNow |= session.UnackedNew >= 2;
                }
                Stream?.Record(now, session.Id, chunk, session.BytesReceived, datagram.Length, payload);
                if (_observer.WantsDatagrams)
                {
                    _observer.Datagram(session, chunk, datagram.Length, payload);
                }
                break;
            case Engine.ChunkStatus.Duplicate:
                session.CountDuplicate();
                session.AckNow = true;
                break;
            case Engine.ChunkStatus.BeyondWindow:
                session.AckNow = true;
                break;
            default:
                Stats.CountMalformed();
                return;
        }
        session.LastEcho = sendTime;

        if (session.Window.IsComplete)
        {
            SendAck(session, now, sink);
            StartVerification(session, now, sink);
        }
        else if (session.AckNow || session.UnackedNew >= _options.AckEvery)
        {
            SendAck(session, now, sink);
        }
    }

    private void OnFinish(ReadOnlySpan<byte> datagram, SocketAddress from, long now, IDatagramSink sink)
    {
        if (!MessageCodec.TryReadFinish(datagram, out ulong sessionId, out _))
        {
            Stats.CountMalformed();
            return;
        }
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            Stats.CountUnknownSession();
            int length = MessageCodec.WriteReject(_reply, new RejectMessage(sessionId, RejectReason.UnknownSession, string.Empty));
            Reply(length, from, sink);
            return;
        }
        if (!session.Peer.Equals(from))
        {
            Stats.CountWrongPeer();
            return;
        }
        session.LastActivity = now;
        switch (session.State)
        {
            case SessionState.Receiving:
                SendAck(session, now, sink);
                break;
            case SessionState.Done or SessionState.Failed:
                SendDone(session, sink);
                break;
        }
    }

    private void OnAbort(ReadOnlySpan<byte> datagram, SocketAddress from, long now)
    {
        if (!MessageCodec.TryReadAbort(datagram, out ulong sessionId, out _)
            || !_sessions.TryGetValue(sessionId, out var session))
        {
            return;
        }
        if (!session.Peer.Equals(from))
        {
            Stats.CountWrongPeer();
            return;
        }
        if (session.State is SessionState.Receiving or SessionState.Verifying)
        {
            session.File.Discard();
            EndSession(session, RejectReason.Cancelled, "cancelled by the client", now, sink: null);
        }
    }

    private static long CompleteBytes(ReceiverSession session) =>
        (long)Math.Min((ulong)session.FileSize, session.Window.Cumulative * (ulong)session.ChunkSize);

    /// <summary>
    /// A gap was filled: feed the digest the chunks that had arrived out of order, read back from the file
    /// (the page cache, in practice). Returns false if the disk failed and the session ended.
    /// </summary>
    private bool CatchUpDigest(ReceiverSession session, long now, IDatagramSink sink)
    {
        if (session.Hasher is not { } hasher)
        {
            return true;
        }
        long target = CompleteBytes(session);
        if (session.HashedUpTo >= target)
        {
            return true;
        }
        try
        {
            session.Pending.Flush(session.File);
            while (session.HashedUpTo < target)
            {
                int want = (int)Math.Min(_readBack.Length, target - session.HashedUpTo);
                int n = session.File.Read(session.HashedUpTo, _readBack.AsSpan(0, want));
                if (n <= 0)
                {
                    throw new IOException("short read of the temporary file");
                }
                hasher.Append(_readBack.AsSpan(0, n));
                session.HashedUpTo += n;
            }
            return true;
        }
        catch (IOException ex)
        {
            FailOnDisk(session, ex, now, sink);
            return false;
        }
    }

    /// <summary>The disk refused: the session ends, its temporary file goes, the client hears why.</summary>
    private void FailOnDisk(ReceiverSession session, IOException ex, long now, IDatagramSink sink)
    {
        session.File.Discard();
        var reason = Engine.DiskErrors.IsDiskFull(ex) ? RejectReason.DiskFull : RejectReason.IoError;
        EndSession(session, reason, RejectReasonText.Describe(reason), now, sink);
    }

    private void StartVerification(ReceiverSession session, long now, IDatagramSink sink)
    {
        try
        {
            session.Pending.Flush(session.File);
        }
        catch (IOException ex)
        {
            FailOnDisk(session, ex, now, sink);
            return;
        }
        session.SetState(SessionState.Verifying);
        session.Verification = session.Hasher is { } hasher && session.HashedUpTo == session.FileSize
            ? session.File.CommitAsync(session.Digest, hasher.GetCurrentHashAsUInt128(), _stopping.Token)
            : session.File.CommitAsync(session.Digest, _stopping.Token);
        if (session.Verification.IsCompleted)
        {
            Poll(now, sink);
        }
    }

    private void EndSession(ReceiverSession session, RejectReason reason, string message, long now, IDatagramSink? sink)
    {
        session.Pending.Dispose();
        session.Cipher?.Dispose();
        session.End(reason, message, now);
        Volatile.Write(ref _active, _active - 1);
        if (reason == RejectReason.None)
        {
            Stats.CountCompleted();
        }
        else
        {
            Stats.CountFailed();
        }
        _observer.SessionEnded(session, (now - session.StartedAt) / 1e6);
        if (sink is not null)
        {
            SendDone(session, sink);
        }
    }

    private void Refuse(ulong sessionId, RejectReason reason, string message, SocketAddress from, IDatagramSink sink, string name)
    {
        Stats.CountRejected();
        _observer.Refused(SocketAddressText.Format(from), name, message.Length > 0 ? message : RejectReasonText.Describe(reason));
        int length = MessageCodec.WriteReject(_reply, new RejectMessage(sessionId, reason, message));
        Reply(length, from, sink);
    }

    private void SendAccept(ReceiverSession session, IDatagramSink sink)
    {
        int length = MessageCodec.WriteAccept(_reply, new AcceptMessage(session.Id, 0, (uint)session.Window.WindowChunks, (ushort)session.ChunkSize));
        Reply(length, session.Peer, sink);
    }

    private void SendDone(ReceiverSession session, IDatagramSink sink)
    {
        int length = MessageCodec.WriteDone(_reply, new DoneMessage(session.Id, session.Result, (ulong)session.BytesReceived, session.Result == RejectReason.None ? string.Empty : session.ResultMessage));
        Reply(length, session.Peer, sink);
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

    private void SendAck(ReceiverSession session, long now, IDatagramSink sink)
    {
        int capacity = Math.Min(session.ChunkSize + Wire.DataHeaderSize, Wire.MaxDatagramSize - _tag) - Wire.AckFixedSize;
        int bitmapLength = session.Window.WriteBitmap(_reply.AsSpan(Wire.AckFixedSize, capacity));
        int length = MessageCodec.WriteAck(_reply, session.Id, session.Window.Cumulative, session.LastEcho, (uint)session.Duplicates, _reply.AsSpan(Wire.AckFixedSize, bitmapLength));
        Reply(length, session.Peer, sink);
        session.UnackedNew = 0;
        session.AckNow = false;
        session.LastAckAt = now;
    }

    /// <summary>The window must be reportable in one acknowledgement and bounded in bytes.</summary>
    private int WindowFor(int chunkSize)
    {
        int datagram = chunkSize + Wire.DataHeaderSize;
        long byBitmap = (long)(datagram - Wire.AckFixedSize) * 8;
        long byBytes = _options.MaxWindowBytes / chunkSize;
        long limit = Math.Min(Math.Min(byBitmap, byBytes), _options.MaxWindowChunks);
        return (int)Math.Max(64, BitOperations.RoundUpToPowerOf2((ulong)limit + 1) / 2);
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
