namespace Udpx.Engine;

/// <summary>
/// The congestion state of one network path, shared by every transfer of this process to that server:
/// one window and one pacer for all of them, so twenty files at once are as gentle as one.
/// Thread-safe (the thread modes send from many threads); every method takes the lock briefly and
/// allocates nothing.
/// <para>
/// Three signals, each with its own meaning (docs/performance.md, "Congestion control"):
/// </para>
/// <list type="bullet">
/// <item><b>Queueing delay</b> (the round's smallest RTT minus the path's; on a jittery path the smaller of
/// two rounds'): above a small target (4 datagram times, 1 to 4 ms, at least three times the path's jitter)
/// the window is cut to what the path holds without a queue plus four datagrams (Vegas-like, bounded by
/// delivery rate × base RTT; flows with equal targets converge to equal shares). So udpx alone keeps the
/// bottleneck full with almost no queue. A queue that would hold less than one of our datagrams (the window
/// times the delay over the RTT) is none: a tiny window on a jittery path reads its jitter so.</item>
/// <item><b>Loss beyond the path's random loss</b>: losses in rounds whose queue was empty measure the
/// random loss; a round that loses clearly more than that while a queue is there is congestion and
/// gets CUBIC's decrease (RFC 9438). Random loss alone never shrinks the window.</item>
/// <item><b>A queue that stays</b>: when the delay stays above target for six rounds although udpx cut
/// its window, another flow is filling the buffer (CUBIC does). udpx then stops yielding to delay and
/// competes by loss like CUBIC, until the queue drains again. It starts from a fair share (half the path's
/// best recent rate × the RTT with the queue) and never cuts below 40% of it. Every few seconds a competitor
/// check holds two datagrams in flight until the queue should have gone: if it went, twice in a row, it was udpx's own.</item>
/// </list>
/// In <see cref="CongestionMode.Background"/> the delay target is LEDBAT's (25 ms, or half the deepest
/// queue seen when the buffer is shallower, at least two datagram times at the path's rate) and is never
/// given up, and a loss halves the window. Its window may fall below one datagram, to a sixteenth: then it
/// is a pacing rate, one datagram every so many round trips, since beside a flow that fills a buffer of a
/// few datagrams even two in flight would be a third of the link.
/// </summary>
internal sealed partial class CongestionController
{
    public const int MinWindow = 2;
    public const int InitialWindow = 16;
    private const int LossyPathMinWindow = 16;
    private const double BackgroundMinWindow = 1.0 / 16;
    private const double Beta = 0.7;
    private const double CubicC = 0.4;
    private const int BandwidthRounds = 10;
    private const long MinRttWindowMicros = 30_000_000;
    private const int CompetingAfterRounds = 3;
    private const int CalmAfterRounds = 16;
    private const long CalmAfterMicros = 3_000_000;
    private const long DrainEveryMicros = 5_000_000;
    private const int ChecksToStopCompeting = 2;
    private const double VegasAlpha = 4;
    private const long BackgroundTargetMicros = 25_000;
    private const double RandomLossMemory = 20_000;

    /// <summary>Quiet samples the random-loss estimate rests on before it counts as learnt (±7% of a 10% rate).</summary>
    private const double RandomLossLearnSamples = 2_000;
    private const double FairShareFloor = 0.4;
    private const int PathRateMemoryRounds = 512;
    private const long ProbeAfterLossMicros = 2_000_000;
    private const long ShortPathQueueTargetMicros = 3_000;
    private const long ShortPathMicros = 10_000;
    private const int ServerAckBatch = 32;
    private const long FullDatagramMicros = 1_500;
    private const long ServerAckHoldMicros = 1_000;

    private readonly object _gate = new();
    private readonly Pacer _pacer;
    private readonly int _maxWindow;
    private readonly int _datagramBytes;
    private readonly double[] _bandwidth = new double[BandwidthRounds];

    private double _cwnd;
    private int _inFlight;
    private long _delivered;
    private long _srtt;
    private long _lastRttSample;
    private double _jitter;
    private long _minRtt = long.MaxValue;
    private long _handshakeRtt = long.MaxValue;
    private long _minRttCandidate = long.MaxValue;
    private long _minRttPeriodStart = -1;
    private double _bandwidthMax;
    private double _pathRate;
    private long _previousRoundMinRtt = long.MaxValue;
    private int _quietRounds;
    private int _emptyRounds;
    private int _timeoutsInRow;
    private long _lastAckAt = long.MinValue / 2;
    private long _lastDecreaseAt = long.MinValue / 2;

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
    private bool _congestedLastRound;
    private int _cutsThisEpisode;
    private long _queueAtCut;
    private double _windowBeforeEpisode;
    private long _lastQueue;
    private long _nextDrainAt = -1;
    private long _drainUntil = long.MinValue;
    private bool _checkingCompetitor;
    private long _queueBeforeCheck;
    private long _checkUntil;
    private int _checksInARow;
    private int _calmRounds;
    private long _calmSince;
    private long _holdUntil = long.MinValue;
    private long _deepestQueue;

    private double _wMax;
    private double _k;
    private double _renoWindow;
    private long _epochStart = -1;

    public CongestionController(int datagramBytes, int maxWindow, CongestionMode mode = CongestionMode.Normal, int initialWindow = InitialWindow)
    {
        _datagramBytes = datagramBytes;
        _maxWindow = Math.Max(MinWindow, maxWindow);
        Mode = mode;
        _cwnd = Math.Clamp(initialWindow, MinWindow, _maxWindow);
        _pacer = new Pacer(datagramBytes);
        InStartup = true;
    }

    public CongestionMode Mode { get; }

    /// <summary>Datagrams all transfers of the path may have in flight together.</summary>
    public int Window => Math.Max(1, (int)Volatile.Read(ref _cwnd));

    /// <summary>The window in use: half of it for one round every few seconds, so that the base RTT is measured anew; two datagrams while competing (a competitor check).</summary>
    private int Allowed(long now)
    {
        // A scavenger's window below one datagram is a pacing rate: one datagram may still be in flight.
        int window = Math.Max(1, (int)_cwnd);
        if (now >= _drainUntil)
        {
            return window;
        }
        return _checkingCompetitor ? Math.Min(MinWindow, window) : Math.Max(Math.Min(MinWindow, window), window / 2);
    }

    /// <summary>The least a cut leaves: two datagrams, or for the scavenger a sixteenth (a pacing rate).</summary>
    private double ModeMinWindow => Mode == CongestionMode.Background ? BackgroundMinWindow : MinWindow;

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool InStartup { get; private set; }

    /// <summary>True while another flow holds a queue at the bottleneck and udpx competes by loss.</summary>
    public bool Competing { get; private set; }

    /// <summary>Competitor checks that found the queue our own and ended competing.</summary>
    public int CompetitorChecksPassed { get; private set; }

    /// <summary>Queueing delay of the last round, microseconds.</summary>
    public long QueueDelayMicros { get; private set; }

    /// <summary>The random loss rate measured while no queue stood.</summary>
    public double RandomLoss => _quietSamples > 20 ? _quietLosses / _quietSamples : 0;

    public double PacingBytesPerSecond => _pacer.BytesPerSecond;

    /// <summary>The path's smoothed round trip, from the handshakes and acknowledgements of its transfers; 0 before the first.</summary>
    public long SmoothedRttMicros => Volatile.Read(ref _srtt);

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
            if (newlyAcked > 0)
            {
                _timeoutsInRow = 0;
                _lastAckAt = now;
            }
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
        if (rtt <= 0)
        {
            return;
        }
        lock (_gate)
        {
            _handshakeRtt = Math.Min(_handshakeRtt, rtt);
            if (_srtt == 0)
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
            // On a jittery path a single timeout is as often a late acknowledgement: only a second one in a row
            // (the sender's timer has backed off) is taken for congestion. So is one that ends a silence with no
            // queue before it: a way back that stalls for longer than the timeout (a descheduled host, the
            // fairness lab's delay stage holding acknowledgements for 10-70 ms) queues nothing, loses nothing and
            // acknowledges nothing until it resumes, while a buffer that overflows shows its queue first, and
            // a tail lost behind others still acknowledged is no silence.
            bool silence = !_queueSeenLastRound && now - _lastAckAt >= Math.Max(_srtt / 4, 1_000);
            bool lateAck = (Jittery || silence) && ++_timeoutsInRow < 2;
            // Nor is one that fires while acknowledgements still arrive after start-up, the last round's queue within the
            // delay target: that is the loss of a datagram or two, which a small window finds by timeout (too little
            // follows it for the send order to show it), and the round's loss rule weighs it against the path's random
            // loss. A small window reads a jittery path through two or three samples a round, and its jitter as a queue;
            // halving for each such timeout held the soak's windows at 2-4 on a path with 5-7% random loss.
            bool ackClock = !InStartup && now - _lastAckAt < Math.Max(_srtt / 4, 1_000) && QueueDelayMicros <= QueueTarget(startup: false);
            if (now >= _holdUntil && !randomPath && !lateAck && !ackClock)
            {
                Decrease(0.5, now);
            }
        }
    }

    /// <summary>
    /// The RTT moves from one sample to the next by more than a millisecond and two datagram times (a slow link
    /// moves it by a datagram time as its queue changes): jitter, which must not pass for a queue or a loss.
    /// </summary>
    private bool Jittery => _jitter > Math.Max(1_000, _bandwidthMax > 0 ? 2 / _bandwidthMax : 0);

    private void AddRttSample(long rtt, long now)
    {
        if (rtt <= 0)
        {
            return;
        }
        _srtt = _srtt == 0 ? rtt : ((7 * _srtt) + rtt) / 8;
        // Jitter as RFC 3550 measures it: the mean difference of consecutive samples. A queue moves the
        // RTT slowly; jitter moves it from one sample to the next, and must not be read as a queue.
        if (_lastRttSample > 0)
        {
            _jitter += (Math.Abs(rtt - _lastRttSample) - _jitter) / 16;
        }
        _lastRttSample = rtt;
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
            _cwnd = Math.Max(_cwnd, Math.Min(StartupCeiling(), _cwnd + acked));
            return;
        }
        if (Mode == CongestionMode.Background)
        {
            // LEDBAT: up by at most one datagram per round trip, in proportion to how far below target.
            long target = BackgroundTarget();
            double off = Math.Clamp((target - QueueDelayMicros) / (double)target, 0, 1);
            // Below one datagram the window is a pacing rate (a datagram every 1/window round trips), and an
            // acknowledgement comes that seldom: each one grows it by up to half, back to a datagram per round trip.
            double step = _cwnd < 1 ? off * acked * _cwnd / 2 : off * acked / _cwnd;
            _cwnd = Math.Min(_maxWindow, _cwnd + step);
            return;
        }
        if (_cutsThisEpisode > 0 && !Competing)
        {
            // We drained our part of a queue that is still there: hold still while we learn whose it is.
            return;
        }
        // On a path that loses at random the decreases are few and far between (the random loss is not one), and
        // one that ended start-up early must not hold the probe back for long.
        long probeAfter = RandomLoss > 0.02 ? Math.Max(8 * _srtt, 100_000) : ProbeAfterLossMicros;
        if (!Competing && _emptyRounds >= 3 && now - _lastDecreaseAt >= probeAfter)
        {
            // No queue for three rounds and no loss for a while (a loss ended start-up early, or the path got
            // faster): the delay will tell when the path is full, so grow by a sixteenth per round. Not after
            // recent losses: in a shallow buffer a loss-based flow shows no queue, and this would outgrow it.
            _cwnd = Math.Min(_maxWindow, _cwnd + (acked / 16.0));
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
