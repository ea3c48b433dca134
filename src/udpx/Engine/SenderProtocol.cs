using System.Numerics;
using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>
/// The sending side of one transfer as a state machine, free of sockets and clocks: the driver hands in
/// received datagrams and the time, and asks for the next datagram to send. Handshake, offer, windowed
/// data with selective acknowledgement, loss detection by send time (RACK-like) and by timeout, finish.
/// Allocates nothing per datagram (only a resumed transfer allocates, once).
/// </summary>
internal sealed partial class SenderProtocol : IDisposable
{
    /// <summary>A control message's first wait for its answer on a path with no round trip measured (a Hello, or any after a restart or a busy server).</summary>
    internal const long ColdHelloWaitMicros = 200_000;

    /// <summary>
    /// The least a control message waits for its answer (an Offer, a Finish, a Hello on a measured path): its
    /// wait is three round trips, at least this. A control message is answered at once, without the data's
    /// acknowledgement hold that keeps the data's timeout at 10 ms or more; a repeat that was not needed costs
    /// one small datagram, which the server answers or ignores as a repeat.
    /// </summary>
    internal const long MinControlWaitMicros = 2_000;

    /// <summary>Three smoothed round trips, at least <see cref="MinControlWaitMicros"/>.</summary>
    private static long ControlWait(long smoothedRtt) => Math.Max(3 * smoothedRtt, MinControlWaitMicros);

    private readonly TransferPlan _plan;
    private readonly IChunkSource _source;
    private readonly SenderOptions _options;
    private readonly TransferCounters _counters;
    private readonly DatagramAuthenticator? _auth;
    private PayloadCipher? _cipher;
    private readonly RttEstimator _rtt = new();
    private readonly ChunkDigest _digest = new();
    private readonly RateLimiter _rate;
    private readonly CongestionController _congestion;
    private readonly ulong _total;
    private readonly int _chunkSize;

    // The send window [_cum, _next): its chunks' slots (the window never exceeds the ring), their
    // transmissions in send order, and those judged lost, waiting to be sent again.
    private readonly ChunkSlots _slots;
    private readonly SendOrderLog _order;
    private readonly LostQueue _lost;
    private readonly PrematureLossCheck _premature;
    private ulong _cum;
    private ulong _next;
    private int _window;
    private int _inFlight;

    private ulong _sessionId;
    private UInt128 _clientRandom;
    private ulong _nextPacket;
    private readonly ReplayWindow? _replay;
    private TransferPhase _phase = TransferPhase.Connecting;
    private long _createdAt = -1;
    private long _startedAt = -1;
    private long _controlDue;
    private long _controlInterval = ColdHelloWaitMicros;
    private long _lastHeardAt;
    private long _progressAt;
    private TransferOutcome _outcome;
    private bool _finishNow;

    public SenderProtocol(TransferPlan plan, IChunkSource source, SenderOptions options, TransferCounters counters)
    {
        if (plan.DatagramSize is < Wire.MinDatagramSize or > Wire.MaxDatagramSize)
        {
            throw new ArgumentOutOfRangeException(nameof(plan), "datagram size must be between " + Wire.MinDatagramSize + " and " + Wire.MaxDatagramSize);
        }
        _plan = plan;
        _sessionId = plan.SessionId;
        _source = source;
        _options = options;
        _counters = counters;
        _auth = options.Key is { } key ? DatagramAuthenticator.ForClient(key) : null;
        if (options.Encrypt && options.Key is null)
        {
            throw new ArgumentException("encryption needs a key", nameof(options));
        }
        if ((_auth is null) != (plan.TagSize == 0))
        {
            throw new ArgumentException("the plan's tag size must match the presence of a key", nameof(plan));
        }
        _replay = options.Key is null ? null : new ReplayWindow();
        _clientRandom = NewRandom();
        _chunkSize = plan.ChunkSize;
        _total = plan.TotalChunks;
        _rate = new RateLimiter(options.RateBytesPerSecond, plan.DatagramSize);

        // Sized to the file when it is small: many small transfers at once stay light.
        ulong wanted = Math.Clamp(_total, 64UL, (ulong)Math.Max(64, options.MaxWindowChunks));
        int ring = (int)BitOperations.RoundUpToPowerOf2((uint)wanted);
        _slots = new ChunkSlots(ring);
        _order = new SendOrderLog(ring * 2);
        _lost = new LostQueue(ring);
        _premature = new PrematureLossCheck(ring, Math.Min(ring, 256));
        _window = ring;
        _congestion = options.Path ?? new CongestionController(plan.DatagramSize, ring, options.Background ? CongestionMode.Background : CongestionMode.Normal);
        counters.SetPhase(TransferPhase.Connecting);
    }

    public TransferPhase Phase => _phase;

    public bool IsFinished => _phase is TransferPhase.Done or TransferPhase.Failed;

    public TransferOutcome Outcome => _outcome;

    public RttEstimator Rtt => _rtt;

    public int CongestionWindow => _congestion.Window;

    /// <summary>The path's controller (shared with the other transfers to the same server in this process).</summary>
    public CongestionController Congestion => _congestion;

    public ulong SessionId => _sessionId;

    /// <summary>Keyed datagrams dropped because their packet number was already seen or is too old (replays).</summary>
    public long Replays { get; private set; }

    /// <summary>Writes an Abort (signed when keyed) for the current session: the server frees it at once.</summary>
    public int WriteAbort(Span<byte> buffer, RejectReason reason)
    {
        int length = MessageCodec.WriteAbort(buffer, _sessionId, reason, _nextPacket++);
        return _auth is null ? length : _auth.Sign(buffer, length);
    }

    /// <summary>Writes the next datagram due at <paramref name="now"/> into <paramref name="buffer"/>; 0 when none is due.</summary>
    public int TryWriteNext(Span<byte> buffer, long now)
    {
        int length = WriteNext(buffer, now);
        if (length == 0 || _auth is null)
        {
            return length;
        }
        return _cipher is not null && buffer[2] == (byte)MessageType.Data ? _cipher.Seal(buffer, length) : _auth.Sign(buffer, length);
    }

    private int WriteNext(Span<byte> buffer, long now)
    {
        if (_startedAt < 0)
        {
            _createdAt = now;
            _startedAt = now;
            _lastHeardAt = now;
            _progressAt = now;
            _controlDue = now;
            _controlInterval = FirstHelloWait();
        }
        CheckTimers(now);
        switch (_phase)
        {
            case TransferPhase.Connecting:
                return now >= _controlDue ? WriteControl(buffer, now, MessageCodec.WriteHello(buffer, new HelloMessage(_sessionId, (ulong)now, _nextPacket++))) : 0;
            case TransferPhase.Offering:
                return now >= _controlDue ? WriteControl(buffer, now, WriteOffer(buffer)) : 0;
            case TransferPhase.Sending when _finishNow:
                // Every chunk has gone out once: the digest is known, and the server can verify as soon
                // as it holds the last chunk instead of waiting for the acknowledgements to come back.
                _finishNow = false;
                _counters.MarkSentOnce();
                int finish = WriteFinish(buffer);
                _counters.AddSent(finish, retransmission: false);
                return finish;
            case TransferPhase.Sending:
                return TryWriteData(buffer, now);
            case TransferPhase.Finishing:
                return now >= _controlDue ? WriteControl(buffer, now, WriteFinish(buffer)) : 0;
            default:
                return 0;
        }
    }

    /// <summary>The time at which <see cref="TryWriteNext"/> next has something to do, absent new datagrams.</summary>
    public long NextDeadline(long now)
    {
        if (_startedAt < 0)
        {
            return now;
        }
        long deadline = _phase switch
        {
            TransferPhase.Connecting => Math.Min(_controlDue, _startedAt + Micros(_options.ConnectTimeout)),
            TransferPhase.Offering or TransferPhase.Finishing => _controlDue,
            TransferPhase.Sending => SendingDeadline(now),
            _ => long.MaxValue,
        };
        if (_phase is TransferPhase.Offering or TransferPhase.Sending or TransferPhase.Finishing)
        {
            deadline = Math.Min(deadline, _progressAt + Micros(_options.IdleTimeout));
        }
        return Math.Min(deadline, JobDeadline);
    }

    /// <summary>Gives up (user cancel or fatal local error).</summary>
    public void Fail(RejectReason reason, string message)
    {
        if (!IsFinished)
        {
            Finish(new TransferOutcome(false, reason, message, 0));
        }
    }

    public void OnDatagram(ReadOnlySpan<byte> datagram, long now)
    {
        if (IsFinished || DatagramHeader.TryRead(datagram, out var header) != DatagramStatus.Ok || header.SessionId != _sessionId)
        {
            return;
        }
        if (_auth is not null)
        {
            if (!_auth.Verify(datagram, out int messageLength))
            {
                return;
            }
            datagram = datagram[..messageLength];
            // Stateless replies carry packet number 0 and are taken only in the phase that expects them: a
            // Cookie while connecting, a refused Offer while offering, an unknown session while sending.
            if (header.PacketNumber == 0 ? !ExpectsStateless(header.Type, datagram) : !_replay!.TryAccept(header.PacketNumber))
            {
                Replays++;
                return;
            }
        }
        switch (header.Type)
        {
            case MessageType.Cookie when _phase == TransferPhase.Connecting && MessageCodec.TryReadCookie(datagram, out var cookie):
                _lastHeardAt = now;
                _progressAt = now;
                _rtt.AddSample(now - (long)cookie.EchoTimeMicros);
                _congestion.OnHandshakeRtt(now - (long)cookie.EchoTimeMicros);
                _cookieIssuedAt = cookie.IssuedAtSeconds;
                _cookieMac = cookie.Mac;
                Enter(TransferPhase.Offering);
                _controlDue = now;
                _controlInterval = ControlWait(_rtt.SmoothedMicros);
                break;
            case MessageType.Accept when _phase == TransferPhase.Offering && MessageCodec.TryReadAccept(datagram, out var accept):
                _lastHeardAt = now;
                _progressAt = now;
                StartSending(accept, now);
                break;
            case MessageType.Reject when MessageCodec.TryReadReject(datagram, out var reject):
                _lastHeardAt = now;
                OnReject(reject, now);
                break;
            case MessageType.Ack when _phase is TransferPhase.Sending or TransferPhase.Finishing && MessageCodec.TryReadAck(datagram, out var ack):
                _lastHeardAt = now;
                OnAck(ack, now);
                break;
            case MessageType.Done when _phase is TransferPhase.Sending or TransferPhase.Finishing && MessageCodec.TryReadDone(datagram, out var done):
                _lastHeardAt = now;
                Finish(new TransferOutcome(done.Reason == RejectReason.None, done.Reason, done.Message, (long)done.BytesStored));
                break;
        }
    }

    /// <summary>
    /// How long the first Hello waits for its Cookie before it goes again (each repeat waits twice as long, at
    /// most 1 s). On a path this process has not measured, 200 ms. On one it has, what an Offer waits: three of
    /// its round trips, at least 2 ms. The path's controller knows its round trip while a transfer to the same
    /// server runs or ran within <see cref="SharedPaths.ForgetAfter"/>; a process-mode worker is handed its
    /// parent's (<see cref="SenderOptions.PathRttMicros"/>). At 10% loss both ways one Hello in five goes
    /// unanswered, and a batch of small files spent most of its time in those 200 ms waits.
    /// </summary>
    private long FirstHelloWait()
    {
        long known = _congestion.SmoothedRttMicros;
        if (known <= 0)
        {
            known = _options.PathRttMicros;
        }
        return known > 0 ? Math.Min(ControlWait(known), ColdHelloWaitMicros) : ColdHelloWaitMicros;
    }

    private int WriteControl(Span<byte> buffer, long now, int length)
    {
        _controlDue = now + _controlInterval;
        _controlInterval = Math.Min(_controlInterval * 2, 1_000_000);
        _counters.AddSent(length, retransmission: false);
        return length;
    }

    private void CheckTimers(long now)
    {
        if (now >= JobDeadline && !IsFinished)
        {
            Finish(new TransferOutcome(false, RejectReason.Expired, "not done within " + _options.JobTimeout.TotalSeconds + " s (--job-timeout)", 0));
            return;
        }
        switch (_phase)
        {
            case TransferPhase.Connecting when now - _startedAt >= Micros(_options.ConnectTimeout):
                Finish(new TransferOutcome(false, RejectReason.None, "no answer from the server within " + _options.ConnectTimeout.TotalSeconds + " s (is udpx serve running there?)", 0));
                return;
            case TransferPhase.Offering or TransferPhase.Sending or TransferPhase.Finishing when now - _progressAt >= Micros(_options.IdleTimeout):
                // Acks and Finishes going back and forth are not progress: only newly acknowledged data is.
                Finish(new TransferOutcome(false, RejectReason.Expired, now - _lastHeardAt >= Micros(_options.IdleTimeout)
                    ? "the server stopped answering for " + _options.IdleTimeout.TotalSeconds + " s"
                    : "no new data acknowledged for " + _options.IdleTimeout.TotalSeconds + " s (the path or the server is stuck)", 0));
                return;
            case TransferPhase.Sending:
                if (now >= _rackDeadline)
                {
                    DetectLoss(now);
                }
                CheckRetransmissionTimeout(now);
                return;
        }
    }

    private void Finish(TransferOutcome outcome)
    {
        // Whatever is still in flight is nobody's now: the path's window must not keep it.
        _congestion.Release(_inFlight);
        _inFlight = 0;
        _outcome = outcome;
        Enter(outcome.Verified ? TransferPhase.Done : TransferPhase.Failed);
    }

    /// <summary>The phase moves, and the counters the UI reads say so.</summary>
    private void Enter(TransferPhase phase)
    {
        _phase = phase;
        _counters.SetPhase(phase);
    }

    private int ChunkLength(ulong chunk) => (int)Math.Min(_chunkSize, _plan.FileSize - ((long)chunk * _chunkSize));

    private bool ExpectsStateless(MessageType type, ReadOnlySpan<byte> datagram) => type switch
    {
        MessageType.Cookie => _phase == TransferPhase.Connecting,
        MessageType.Reject when MessageCodec.TryReadReject(datagram, out var reject) =>
            _phase == TransferPhase.Offering || (reject.Reason == RejectReason.UnknownSession && _phase is TransferPhase.Sending or TransferPhase.Finishing),
        _ => false,
    };

    private long JobDeadline => _createdAt < 0 || _options.JobTimeout == Timeout.InfiniteTimeSpan ? long.MaxValue : _createdAt + Micros(_options.JobTimeout);

    private static long Micros(TimeSpan span) => (long)(span.Ticks / 10);

    public void Dispose()
    {
        _congestion.Release(_inFlight);
        _inFlight = 0;
        _cipher?.Dispose();
    }
}
