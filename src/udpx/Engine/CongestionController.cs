namespace Udpx.Engine;

/// <summary>
/// A window sized from the measured path, in the spirit of BBR: the window follows twice the largest
/// delivery rate seen over the last rounds times the smallest RTT. Random loss barely moves the delivery
/// rate, so it does not shrink the window; a full path stops the delivery rate from growing and so caps
/// the window. Start-up doubles the window each round until the delivery rate stops growing or the loss
/// rate jumps above the loss seen so far or the round trip grows (congestion, not noise). Heavy loss within one round (over half
/// of what was sent) or a timeout halves the window.
/// </summary>
internal sealed class CongestionController
{
    private const int BandwidthRounds = 10;
    private const double Gain = 1.25;
    private const double ProbeGain = 1.5;

    private readonly double[] _bandwidth = new double[BandwidthRounds]; // chunks per microsecond
    private readonly int _minWindow;
    private readonly int _maxWindow;
    private int _round;
    private long _roundStart = -1;
    private long _deliveredAtRoundStart;
    private long _sentInRound;
    private long _lostInRound;
    private double _startupBest;
    private int _roundsWithoutGrowth;
    private double _baselineLoss = double.MaxValue;
    private long _roundMinRtt = long.MaxValue;
    private int _samplesInRound;

    public CongestionController(int minWindow, int maxWindow, int initialWindow)
    {
        _minWindow = minWindow;
        _maxWindow = maxWindow;
        Window = Math.Clamp(initialWindow, minWindow, maxWindow);
        InStartup = true;
    }

    /// <summary>Chunks the sender may have in flight.</summary>
    public int Window
    {
#if DEBUG
        get => FixedWindow > 0 ? FixedWindow : _window;
#else
        get => _window;
#endif
        private set => _window = value;
    }

    private int _window;

#if DEBUG
    // An experiment's switch (docs/performance.md): a release build has no way to turn congestion control off.
    private static readonly int FixedWindow = int.TryParse(Environment.GetEnvironmentVariable("UDPX_DEBUG_WINDOW"), out int w) ? w : 0;
#endif

    public bool InStartup { get; private set; }

    public double MaxBandwidthChunksPerMicro { get; private set; }

    public void OnSent() => _sentInRound++;

    public void OnLost(int count) => _lostInRound += count;

    /// <summary>Chunks were newly acknowledged; <paramref name="delivered"/> is the running total.</summary>
    public void OnAcked(int newlyAcked, long delivered, long nowMicros, RttEstimator rtt)
    {
        if (_roundStart < 0)
        {
            _roundStart = nowMicros;
            _deliveredAtRoundStart = delivered - newlyAcked;
        }
        _roundMinRtt = Math.Min(_roundMinRtt, rtt.LatestMicros);
        _samplesInRound++;
        if (InStartup)
        {
            Window = Math.Min(_maxWindow, Window + newlyAcked);
            // A queue is building (HyStart): even the round's best RTT rose well above the path's.
            // Leave start-up at once rather than at the round's end: one more doubling would overflow it.
            if (_samplesInRound >= 8 && rtt.MinMicros != long.MaxValue
                && _roundMinRtt > rtt.MinMicros + Math.Max(rtt.MinMicros / 4, 2_000))
            {
                InStartup = false;
                Window = Math.Max(_minWindow, Window / 2);
            }
        }

        long roundLength = Math.Max(rtt.HasSample ? rtt.SmoothedMicros : 1_000, 200);
        if (nowMicros - _roundStart < roundLength)
        {
            return;
        }
        EndRound(delivered, nowMicros, rtt);
    }

    public void OnTimeout()
    {
        Window = Math.Max(_minWindow, Window / 2);
        InStartup = false;
    }

    private void EndRound(long delivered, long now, RttEstimator rtt)
    {
        double rate = (delivered - _deliveredAtRoundStart) / (double)Math.Max(1, now - _roundStart);
        _bandwidth[_round % BandwidthRounds] = rate;
        _round++;
        double max = 0;
        for (int i = 0; i < BandwidthRounds; i++)
        {
            max = Math.Max(max, _bandwidth[i]);
        }
        MaxBandwidthChunksPerMicro = max;

        bool heavyLoss = _sentInRound >= 8 && _lostInRound * 2 > _sentInRound;
        if (InStartup)
        {
            double lossRate = _sentInRound >= 20 ? _lostInRound / (double)_sentInRound : -1;
            bool lossJump = lossRate >= 0 && _baselineLoss != double.MaxValue
                && lossRate > Math.Max(2 * _baselineLoss, _baselineLoss + 0.05);
            if (lossRate >= 0)
            {
                _baselineLoss = Math.Min(_baselineLoss, lossRate);
            }
            if (rate > _startupBest * 1.25)
            {
                _startupBest = rate;
                _roundsWithoutGrowth = 0;
            }
            else
            {
                _roundsWithoutGrowth++;
            }
            if (_roundsWithoutGrowth >= 3 || heavyLoss || lossJump)
            {
                InStartup = false;
            }
        }

        if (!InStartup)
        {
            double gain = _round % 8 == 0 ? ProbeGain : Gain;
            long minRtt = rtt.MinMicros == long.MaxValue ? 1_000 : rtt.MinMicros;
            // Delayed acknowledgements hold data back for up to a couple of milliseconds: count them in.
            double target = gain * max * (minRtt + 2_000);
            int window = (int)Math.Clamp(target, _minWindow, _maxWindow);
            if (heavyLoss)
            {
                window = Math.Max(_minWindow, Math.Min(window, Window / 2));
            }
            Window = window;
        }

        _roundStart = now;
        _deliveredAtRoundStart = delivered;
        _sentInRound = 0;
        _lostInRound = 0;
        _roundMinRtt = long.MaxValue;
        _samplesInRound = 0;
    }
}
