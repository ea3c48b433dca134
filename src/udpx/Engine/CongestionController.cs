namespace Udpx.Engine;

/// <summary>How a path's controller treats other traffic.</summary>
internal enum CongestionMode
{
    /// <summary>Fast, and no more aggressive than TCP where it shares a bottleneck.</summary>
    Normal,

    /// <summary>A scavenger after LEDBAT (RFC 6817, --background): it yields to every other flow.</summary>
    Background,
}

/// <summary>
/// The congestion state of one network path, shared by every transfer of this process to that server:
/// one window and one pacer for all of them, so twenty files at once are as gentle as one.
/// Thread-safe (the thread modes send from many threads); every method takes the lock briefly and
/// allocates nothing.
/// <para>
/// Three signals, each with its own meaning (docs/performance.md, "Congestion control"):
/// </para>
/// <list type="bullet">
/// <item><b>Queueing delay</b> (the round's smallest RTT minus the path's): above a small target
/// (4 datagram times, 1 to 4 ms) the window is cut to what the path holds without a queue plus four
/// datagrams (Vegas-like; flows with equal targets converge to equal shares). So udpx alone keeps the
/// bottleneck full with almost no queue.</item>
/// <item><b>Loss beyond the path's random loss</b>: losses in rounds whose queue was empty measure the
/// random loss; a round that loses clearly more than that while a queue is there is congestion and
/// gets CUBIC's decrease (RFC 9438). Random loss alone never shrinks the window.</item>
/// <item><b>A queue that stays</b>: when the delay stays above target for six rounds although udpx cut
/// its window, another flow is filling the buffer (CUBIC does). udpx then stops yielding to delay and
/// competes by loss like CUBIC, until the queue drains again.</item>
/// </list>
/// In <see cref="CongestionMode.Background"/> the delay target is LEDBAT's (25 ms, or half the deepest
/// queue seen when the buffer is shallower) and is never given up, and a loss halves the window.
/// </summary>
internal sealed class CongestionController
{
    public const int MinWindow = 2;
    public const int InitialWindow = 16;
    private const int LossyPathMinWindow = 16;
    private const double Beta = 0.7;
    private const double CubicC = 0.4;
    private const int BandwidthRounds = 10;
    private const long MinRttWindowMicros = 30_000_000;
    private const int CompetingAfterRounds = 3;
    private const int CalmAfterRounds = 16;
    private const long DrainEveryMicros = 5_000_000;
    private const double VegasAlpha = 4;
    private const long BackgroundTargetMicros = 25_000;
    private const double RandomLossMemory = 20_000;

    private readonly object _gate = new();
    private readonly Pacer _pacer;
    private readonly int _maxWindow;
    private readonly int _datagramBytes;
    private readonly double[] _bandwidth = new double[BandwidthRounds];

    private double _cwnd;
    private int _inFlight;
    private long _delivered;
    private long _srtt;
    private long _minRtt = long.MaxValue;
    private long _minRttCandidate = long.MaxValue;
    private long _minRttPeriodStart = -1;
    private double _bandwidthMax;

    private long _roundStart = -1;
    private long _roundDeliveredStart;
    private long _roundAcked;
    private long _roundLost;
    private long _roundMinRtt = long.MaxValue;
    private int _round;

    private double _quietSamples;
    private double _quietLosses;
    private int _queuedRounds;
    private bool _queueSeenLastRound;
    private int _cutsThisEpisode;
    private long _queueAtCut;
    private double _windowBeforeEpisode;
    private long _lastQueue;
    private long _nextDrainAt = -1;
    private long _drainUntil = long.MinValue;
    private int _calmRounds;
    private long _holdUntil = long.MinValue;
    private long _deepestQueue;

    private double _wMax;
    private double _k;
    private double _renoWindow;
    private long _epochStart = -1;

    public CongestionController(int datagramBytes, int maxWindow, CongestionMode mode = CongestionMode.Normal)
    {
        _datagramBytes = datagramBytes;
        _maxWindow = Math.Max(MinWindow, maxWindow);
        Mode = mode;
        _cwnd = Math.Min(InitialWindow, _maxWindow);
        _pacer = new Pacer(datagramBytes);
        InStartup = true;
    }

    public CongestionMode Mode { get; }

    /// <summary>Datagrams all transfers of the path may have in flight together.</summary>
    public int Window => (int)Volatile.Read(ref _cwnd);

    /// <summary>The window in use: half of it for one round every few seconds, so that the base RTT is measured anew.</summary>
    private int Allowed(long now) => now < _drainUntil ? Math.Max(MinWindow, (int)_cwnd / 2) : (int)_cwnd;

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool InStartup { get; private set; }

    /// <summary>True while another flow holds a queue at the bottleneck and udpx competes by loss.</summary>
    public bool Competing { get; private set; }

    /// <summary>Queueing delay of the last round, microseconds.</summary>
    public long QueueDelayMicros { get; private set; }

    /// <summary>The random loss rate measured while no queue stood.</summary>
    public double RandomLoss => _quietSamples > 20 ? _quietLosses / _quietSamples : 0;

    public double PacingBytesPerSecond => _pacer.BytesPerSecond;

    /// <summary>Rounds ended with a congestion decrease (loss or timeout).</summary>
    public long CongestionEvents { get; private set; }

    /// <summary>True when more than one transfer uses the path: a window freed by one wakes no other.</summary>
    public bool IsShared { get; internal set; }

    /// <summary>Takes room for one datagram of <paramref name="bytes"/> if the window and the pacer allow it now.</summary>
    public bool TryAcquire(int bytes, long now)
    {
        lock (_gate)
        {
            if (_inFlight >= Allowed(now) || !_pacer.TryConsume(bytes, now))
            {
                return false;
            }
            _inFlight++;
            return true;
        }
    }

    /// <summary>When a datagram may go next: <see cref="long.MaxValue"/> while the window is full.</summary>
    public long NextSendAt(int bytes, long now)
    {
        lock (_gate)
        {
            return _inFlight >= Allowed(now) ? long.MaxValue : _pacer.ReadyAt(bytes, now);
        }
    }

    /// <summary>Datagrams leave the flight without a verdict (their transfer ended or started over).</summary>
    public void Release(int count)
    {
        lock (_gate)
        {
            _inFlight = Math.Max(0, _inFlight - count);
        }
    }

    /// <summary>
    /// An acknowledgement: <paramref name="newlyAcked"/> chunks delivered, of which
    /// <paramref name="leftFlight"/> were still in flight; <paramref name="rttSample"/> is its round trip.
    /// </summary>
    public void OnAcked(int newlyAcked, int leftFlight, long rttSample, long now)
    {
        lock (_gate)
        {
            _inFlight = Math.Max(0, _inFlight - leftFlight);
            AddRttSample(rttSample, now);
            if (_roundStart < 0)
            {
                _roundStart = now;
                _roundDeliveredStart = _delivered;
            }
            _delivered += newlyAcked;
            _roundAcked += newlyAcked;
            Grow(newlyAcked, now);
            if (now - _roundStart >= Math.Max(_srtt, 1_000))
            {
                EndRound(now);
            }
            UpdatePacing();
        }
    }

    public void OnLost(int count, long now)
    {
        lock (_gate)
        {
            _inFlight = Math.Max(0, _inFlight - count);
            _roundLost += count;
        }
    }

    /// <summary>
    /// A round trip measured before any data (the handshake): it paces the first window, which would
    /// otherwise leave in one burst and measure its own queue as the path's base RTT. It is not a base RTT
    /// itself: small datagrams cross a slow link faster than full ones.
    /// </summary>
    public void OnHandshakeRtt(long rtt)
    {
        lock (_gate)
        {
            if (_srtt == 0 && rtt > 0)
            {
                _srtt = rtt;
                UpdatePacing();
            }
        }
    }

    /// <summary>Nothing acknowledged for a whole retransmission timeout.</summary>
    public void OnTimeout(long now)
    {
        lock (_gate)
        {
            // On a path that loses at random, a whole window can go at random too: without a queue that is
            // no sign of congestion (the sender's timer backs off all the same).
            bool randomPath = RandomLoss > 0.02 && !_queueSeenLastRound;
            if (now >= _holdUntil && !randomPath)
            {
                Decrease(0.5, now);
            }
        }
    }

    private void AddRttSample(long rtt, long now)
    {
        if (rtt <= 0)
        {
            return;
        }
        _srtt = _srtt == 0 ? rtt : ((7 * _srtt) + rtt) / 8;
        _roundMinRtt = Math.Min(_roundMinRtt, rtt);
        // A windowed minimum: the smaller of this period's and the last one's, so a path that got
        // longer is learnt within two periods, and a queue lasting less than one never becomes the base.
        if (_minRttPeriodStart < 0 || now - _minRttPeriodStart >= MinRttWindowMicros * (Mode == CongestionMode.Background ? 4 : 1))
        {
            _minRtt = Math.Min(_minRttCandidate, rtt);
            _minRttCandidate = rtt;
            _minRttPeriodStart = now;
        }
        _minRttCandidate = Math.Min(_minRttCandidate, rtt);
        _minRtt = Math.Min(_minRtt, rtt);
    }

    private void Grow(int acked, long now)
    {
        if (InStartup)
        {
            _cwnd = Math.Min(_maxWindow, _cwnd + acked);
            return;
        }
        if (Mode == CongestionMode.Background)
        {
            // LEDBAT: up by at most one datagram per round trip, in proportion to how far below target.
            long target = BackgroundTarget();
            double off = Math.Clamp((target - QueueDelayMicros) / (double)target, 0, 1);
            _cwnd = Math.Min(_maxWindow, _cwnd + (off * acked / _cwnd));
            return;
        }
        if (_cutsThisEpisode > 0 && !Competing)
        {
            // We drained our part of a queue that is still there: hold still while we learn whose it is.
            return;
        }
        // CUBIC (RFC 9438 §4): the cubic curve back to the window of the last decrease, and never slower than Reno.
        if (_epochStart < 0)
        {
            _epochStart = now;
            _k = Math.Cbrt(Math.Max(0, _wMax - _cwnd) / CubicC);
            _renoWindow = _cwnd;
        }
        long minRtt = _minRtt == long.MaxValue ? _srtt : _minRtt;
        double t = (now - _epochStart + minRtt) / 1_000_000.0;
        double cubic = _wMax + (CubicC * Math.Pow(t - _k, 3));
        _renoWindow += acked * (3 * (1 - Beta) / (1 + Beta)) / _cwnd;
        double goal = Math.Min(Math.Max(cubic, _renoWindow), 1.5 * _cwnd);
        if (goal > _cwnd)
        {
            _cwnd = Math.Min(_maxWindow, _cwnd + ((goal - _cwnd) * acked / _cwnd));
        }
    }

    private void EndRound(long now)
    {
        double rate = (_delivered - _roundDeliveredStart) / (double)Math.Max(1, now - _roundStart);
        _bandwidth[_round++ % BandwidthRounds] = rate;
        _bandwidthMax = 0;
        foreach (double b in _bandwidth)
        {
            _bandwidthMax = Math.Max(_bandwidthMax, b);
        }
        long queue = _minRtt == long.MaxValue || _roundMinRtt == long.MaxValue ? 0 : Math.Max(0, _roundMinRtt - _minRtt);
        QueueDelayMicros = queue;
        _deepestQueue = Math.Max(queue, _deepestQueue - (_deepestQueue >> 6));
        long target = Mode == CongestionMode.Background ? BackgroundTarget() : QueueTarget();
        long samples = _roundAcked + _roundLost;

        // Random loss is what is lost while nothing queues: that loss is the path's, not ours.
        // A loss is found a round trip or more after it happened: only a second round without a queue
        // vouches that the queue was empty when those datagrams were sent.
        bool queueSeen = queue >= Math.Min(target / 4, 500);
        // Nor is a round quiet while the window is far beyond what the path holds: that is a queue we cannot see
        // (the base RTT was measured with it) or one that overflows.
        long baseRtt = _minRtt == long.MaxValue ? _srtt : _minRtt;
        bool overdriven = _cwnd > (2 * _bandwidthMax * Math.Max(baseRtt, 1)) + 16;
        bool quiet = !queueSeen && !_queueSeenLastRound && !overdriven;
        _queueSeenLastRound = queueSeen;
        if (quiet && samples > 0)
        {
            double keep = Math.Exp(-samples / RandomLossMemory);
            _quietSamples = (_quietSamples * keep) + samples;
            _quietLosses = (_quietLosses * keep) + _roundLost;
        }
        double expected = RandomLoss * samples;
        // Three standard deviations over the random loss (a binomial count): a false alarm every few hundred rounds.
        bool congested = !quiet && _roundLost > expected + (3 * Math.Sqrt(expected)) + (expected >= 1 ? 2 : 0);

        if (congested && now >= _holdUntil)
        {
            Decrease(Mode == CongestionMode.Background ? 0.5 : Beta, now);
        }
        else if (Mode == CongestionMode.Background)
        {
            if (queue > target && now >= _holdUntil)
            {
                YieldToQueue(queue, target, now);
            }
        }
        else
        {
            FollowQueue(queue, target, now);
        }
        ScheduleDrain(now, queue);
        _lastQueue = queue;
        _roundStart = now;
        _roundDeliveredStart = _delivered;
        _roundAcked = 0;
        _roundLost = 0;
        _roundMinRtt = long.MaxValue;
    }

    /// <summary>A queue above target: cut to the window that fills the path without it, plus four datagrams.</summary>
    private void YieldToQueue(long queue, long target, long now)
    {
        long minRtt = _minRtt;
        double window = Mode == CongestionMode.Background
            ? _cwnd * Math.Max(0.5, 1 - (0.5 * (queue - target) / target))
            : (_cwnd * minRtt / (double)(minRtt + queue)) + Math.Clamp(_bandwidthMax * target / 2, 1, VegasAlpha);
        if (window < _cwnd)
        {
            _wMax = _cwnd;
            _cwnd = Math.Max(MinWindow, window);
            _epochStart = -1;
        }
        InStartup = false;
        _holdUntil = now + minRtt + queue;
    }

    private void ScheduleDrain(long now, long queue)
    {
        if (_nextDrainAt < 0)
        {
            // Spread over flows, so that two udpx senders do not drain together and each sees the other's queue go.
            _nextDrainAt = now + DrainEveryMicros + (now % 1_000_000);
        }
        else if (now >= _nextDrainAt && !InStartup && !Competing)
        {
            long baseRtt = _minRtt == long.MaxValue ? _srtt : _minRtt;
            _drainUntil = now + baseRtt + queue + 1_000;
            _nextDrainAt = now + DrainEveryMicros + (now % 1_000_000);
        }
    }

    /// <summary>
    /// The delay side of <see cref="CongestionMode.Normal"/>. A queue above target is cut once; while it stays,
    /// the window holds still. A queue that holds steady is still ours (the cut was not enough) and is cut
    /// again, up to three times; one that keeps growing while we hold still, or outlives three cuts, is
    /// another flow's, and after three such rounds udpx
    /// competes by loss until the queue has been gone for <see cref="CalmAfterRounds"/> rounds.
    /// </summary>
    private void FollowQueue(long queue, long target, long now)
    {
        if (Competing)
        {
            _calmRounds = queue < target / 2 ? _calmRounds + 1 : 0;
            if (_calmRounds >= CalmAfterRounds)
            {
                Competing = false;
                _cutsThisEpisode = 0;
                _queuedRounds = 0;
            }
            return;
        }
        if (queue <= target)
        {
            _cutsThisEpisode = 0;
            _queuedRounds = 0;
            return;
        }
        if (_cutsThisEpisode == 0 || InStartup)
        {
            if (now >= _holdUntil)
            {
                // The cut that ends start-up acts on a queue measured when the window was half what it is: it
                // may not be enough, so the episode's first real cut comes after it.
                bool leavingStartup = InStartup;
                _windowBeforeEpisode = _cwnd;
                YieldToQueue(queue, target, now);
                _cutsThisEpisode = leavingStartup ? 0 : 1;
                _queueAtCut = queue;
            }
            return;
        }
        // Three cuts with the window held still between them remove any queue of ours; a queue still there,
        // growing or standing at a full buffer, is someone else's.
        if (queue > _queueAtCut + (target / 2) || _cutsThisEpisode >= 3)
        {
            // Growing while we hold still: not ours.
            if (++_queuedRounds >= CompetingAfterRounds)
            {
                // What we gave up for a queue that was not ours comes back: compete from where we stood.
                Competing = true;
                _calmRounds = 0;
                _cwnd = Math.Min(_maxWindow, Math.Max(_cwnd, _windowBeforeEpisode));
                _wMax = _cwnd;
                _epochStart = -1;
            }
        }
        else if (queue >= _lastQueue && now >= _holdUntil)
        {
            // Steady and not draining: our cut fell short.
            YieldToQueue(queue, target, now);
            _cutsThisEpisode++;
            _queueAtCut = queue;
        }
    }

    private void Decrease(double factor, long now)
    {
        // Fast convergence (RFC 9438 §4.7): a flow that lost again below its last peak leaves room sooner.
        _wMax = _cwnd < _wMax ? _cwnd * (1 + factor) / 2 : _cwnd;
        // On a path that loses at random, a tiny window cannot recover by acknowledgements (one loss leaves
        // nothing later to reveal it) and lives on timeouts: keep enough in flight for loss detection to work.
        double floor = RandomLoss > 0.02 ? LossyPathMinWindow : MinWindow;
        _cwnd = Math.Max(floor, _cwnd * factor);
        _epochStart = -1;
        InStartup = false;
        CongestionEvents++;
        _holdUntil = now + Math.Max(_srtt, 200);
    }

    /// <summary>Four datagram times at the path's rate, between 1 and 4 ms: a queue that long is ours to drain.</summary>
    private long QueueTarget()
    {
        double datagramMicros = _bandwidthMax > 0 ? 1 / _bandwidthMax : 0;
        return Math.Clamp((long)(4 * datagramMicros), 1_000, 4_000);
    }

    private long BackgroundTarget()
    {
        long floor = Math.Max(1_000, _bandwidthMax > 0 ? (long)(2 / _bandwidthMax) : 0);
        return Math.Clamp(_deepestQueue / 2, Math.Min(floor, BackgroundTargetMicros), BackgroundTargetMicros);
    }

    private void UpdatePacing()
    {
        if (_srtt <= 0)
        {
            return;
        }
        double gain = InStartup ? 2.0 : 1.25;
        _pacer.SetRate(gain * _cwnd * _datagramBytes * 1_000_000 / Math.Max(_srtt, 1));
    }
}
