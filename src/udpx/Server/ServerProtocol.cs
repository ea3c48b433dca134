using System.Net;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>
/// The receiving side of udpx for any number of clients, free of sockets: handshake with stateless
/// cookies, sessions created only for proven addresses, data written where it belongs, selective
/// acknowledgements, verification, expiry. One thread drives it through <see cref="Handle"/> and <see cref="Poll"/>.
/// Slow file work (preallocation, commit, deletion) runs on background tasks whose ends Poll observes;
/// Poll visits only sessions with something due, so idle and ended sessions cost nothing per tick.
/// </summary>
internal sealed partial class ServerProtocol : IDisposable
{
    private readonly ServerOptions _options;
    private readonly IFileStore _store;
    private readonly IServerObserver _observer;
    private readonly CookieJar _cookies;
    // Sessions holding resources: preparing, receiving or verifying. Ended ones leave a tombstone.
    private readonly Dictionary<ulong, ReceiverSession> _sessions = [];
    private readonly Tombstones _tombstones;
    // Shared with the server's other receive threads, if any: the limits across all of them.
    private readonly SessionBudget _budget;
    // Sessions with chunks not yet acknowledged: the only ones the acknowledgement delay concerns.
    private readonly List<ReceiverSession> _ackDue = [];
    // Receiving sessions by the time their idleness is next looked at.
    private readonly PriorityQueue<ReceiverSession, long> _idle = new();
    // Sessions of this thread that a new offer of the same file, come in on another receive thread, replaces.
    private readonly System.Collections.Concurrent.ConcurrentQueue<ulong> _supersede = new();
    // The last ended sessions, for the session list only: at most RecentShown, each for Linger.
    private readonly Queue<ReceiverSession> _recent = new();
    private readonly long _linger;
    private readonly byte[] _reply = new byte[Wire.MaxDatagramSize];
    private readonly byte[] _plain = new byte[Wire.MaxDatagramSize];
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _ackDelay;
    private readonly long _idleTimeout;
    private readonly string _idleMessage;
    private readonly DatagramAuthenticator? _auth;
    private readonly int _tag;
    private ReceiverSession[] _sessionList = [];
    // Entries of the idle queue whose session has ended: dropped when popped, or all at once when they
    // outnumber the live sessions, so that a loop of short sessions cannot grow the queue.
    private int _staleIdle;
    private long _pollVisits;

    /// <summary>How many ended sessions the session list shows at most (each for <see cref="ServerOptions.Linger"/>).</summary>
    public const int RecentShown = 64;

    /// <param name="budget">The limits shared with the server's other receive threads; a budget of its own when null.</param>
    public ServerProtocol(ServerOptions options, IFileStore store, IServerObserver? observer = null, SessionBudget? budget = null)
    {
        _options = options;
        _budget = budget ?? new SessionBudget(options);
        _store = store;
        _observer = observer ?? NullServerObserver.Instance;
        _cookies = new CookieJar(options.CookieLifetime);
        _ackDelay = (long)(options.AckDelay.Ticks / 10);
        _idleTimeout = Micros(options.IdleTimeout);
        _linger = Micros(options.Linger);
        _idleMessage = "no datagram from the client for " + options.IdleTimeout.TotalSeconds + " s";
        var keep = options.CookieLifetime + TimeSpan.FromSeconds(1);
        _tombstones = new Tombstones(Math.Max(1, options.MaxTombstones), Micros(keep > options.Linger ? keep : options.Linger));
        _auth = options.Key is { } key ? DatagramAuthenticator.ForServer(key) : null;
        _tag = _auth is null ? 0 : DatagramAuthenticator.TagSize;
    }

    public ServerStats Stats { get; } = new();

    /// <summary>Recent data datagrams of every session, for the live stream pane; null to skip.</summary>
    public Net.DatagramRing? Stream { get; init; }

    /// <summary>A copy of the session list, safe to read from any thread.</summary>
    public IReadOnlyList<ReceiverSession> Sessions => Volatile.Read(ref _sessionList);

    /// <summary>Sessions holding resources (preparing, receiving or verifying), on every receive thread sharing the budget.</summary>
    public int ActiveSessions => _budget.Active;

    /// <summary>Ended sessions still remembered, to answer repeats and refuse replays.</summary>
    public int RememberedSessions => _tombstones.Count;

    /// <summary>Tombstones forgotten early because of <see cref="ServerOptions.MaxTombstones"/>.</summary>
    public long EvictedTombstones => _tombstones.Evicted;

    /// <summary>Sessions and tombstones Poll has looked at since the start: its cost, for tests.</summary>
    public long PollVisits => _pollVisits;

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
            if (!TryDecrypt(datagram, header.SessionId, from, out int plainLength, out bool checkable))
            {
                // A session that no longer receives has no key to check with: a retransmission that crossed
                // the session's end, not a forgery (counted apart, so that Unauthenticated means what it says).
                if (checkable)
                {
                    Stats.CountUnauthenticated();
                }
                else
                {
                    Stats.CountUncheckable();
                }
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

    private bool TryDecrypt(ReadOnlySpan<byte> datagram, ulong sessionId, SocketAddress from, out int length, out bool checkable)
    {
        length = 0;
        checkable = _options.Key is null || datagram[2] != (byte)MessageType.Data;
        if (_options.Key is not { } key || datagram[2] != (byte)MessageType.Data
            || !_sessions.TryGetValue(sessionId, out var session) || !session.Peer.Equals(from)
            || session.State != SessionState.Receiving)
        {
            return false;
        }
        checkable = true;
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

    /// <summary>
    /// Timers and background completions: delayed acknowledgements, files made or committed, idle expiry,
    /// tombstones that have been kept long enough. Each looks only at what is due.
    /// </summary>
    public void Poll(long now, IDatagramSink sink)
    {
        PollBackground(now, sink);
        while (_supersede.TryDequeue(out ulong superseded))
        {
            _pollVisits++;
            if (_sessions.TryGetValue(superseded, out var replaced))
            {
                Supersede(replaced, now, sink);
            }
        }
        for (int i = _ackDue.Count - 1; i >= 0; i--)
        {
            var session = _ackDue[i];
            _pollVisits++;
            if (session.State == SessionState.Receiving && session.UnackedNew > 0)
            {
                if (now - session.LastAckAt < _ackDelay)
                {
                    continue;
                }
                SendAck(session, now, sink);
            }
            session.AckScheduled = false;
            _ackDue[i] = _ackDue[^1];
            _ackDue.RemoveAt(_ackDue.Count - 1);
        }
        while (_idle.TryPeek(out var session, out long due) && due <= now)
        {
            _idle.Dequeue();
            _pollVisits++;
            session.IdleCheckAt = 0;
            if (session.State != SessionState.Receiving)
            {
                if (session.State is SessionState.Done or SessionState.Failed)
                {
                    _staleIdle--;
                }
                continue;
            }
            if (now - session.LastActivity >= _idleTimeout)
            {
                SetAside(session);
                EndSession(session, RejectReason.Expired, _idleMessage, now, sink);
            }
            else
            {
                ScheduleIdleCheck(session, session.LastActivity + _idleTimeout);
            }
        }
        _pollVisits += _tombstones.Expire(now);
        if (_recent.TryPeek(out var shown) && now - shown.FinishedAt >= _linger)
        {
            while (_recent.TryPeek(out shown) && now - shown.FinishedAt >= _linger)
            {
                _recent.Dequeue();
                _pollVisits++;
            }
            PublishSessionList();
        }
    }

    private void ScheduleIdleCheck(ReceiverSession session, long at)
    {
        session.IdleCheckAt = at;
        _idle.Enqueue(session, at);
    }

    /// <summary>An ended session's entry stays in the idle queue until popped; too many such, and the queue is rebuilt.</summary>
    private void ForgetIdleCheck(ReceiverSession session)
    {
        if (session.IdleCheckAt == 0)
        {
            return;
        }
        session.IdleCheckAt = 0;
        if (++_staleIdle <= _sessions.Count + 64)
        {
            return;
        }
        // Amortised O(1) per ended session: this walks the live sessions once per more than that many ends.
        _idle.Clear();
        _staleIdle = 0;
        foreach (var live in _sessions.Values)
        {
            if (live.IdleCheckAt != 0)
            {
                _idle.Enqueue(live, live.IdleCheckAt);
            }
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

    /// <summary>Live sessions and the last few ended ones: bounded by the limits, whatever the traffic.</summary>
    private void PublishSessionList()
    {
        var list = new ReceiverSession[_sessions.Count + _recent.Count];
        _sessions.Values.CopyTo(list, 0);
        _recent.CopyTo(list, _sessions.Count);
        Volatile.Write(ref _sessionList, list);
    }

    private static ulong Seconds(long micros) => (ulong)(micros / 1_000_000);

    private static long Micros(TimeSpan span) => span.Ticks / 10;

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var session in _sessions.Values)
        {
            SetAside(session);
            session.End(RejectReason.Cancelled, "the server stopped", session.LastActivity);
            _budget.Names.Release(session);
        }
        _sessions.Clear();
        _stopping.Dispose();
    }
}
