using System.Runtime.CompilerServices;

namespace Udpx.Engine;

/// <summary>The end of each round trip: what the round's delay and losses mean, and the window's answer.</summary>
internal sealed partial class CongestionController
{
    /// <summary><c>UDPX_TRACE_CC=1</c>: a line per round on standard error (a worker's reach the parent's, labelled).</summary>
    internal static readonly bool TraceRounds = Environment.GetEnvironmentVariable("UDPX_TRACE_CC") == "1";

    private void EndRound(long now)
    {
        double rate = (_delivered - _roundDeliveredStart) / (double)Math.Max(1, now - _roundStart);
        _bandwidth[_round++ % BandwidthRounds] = rate;
        // What the path carried at best lately, kept for some seconds: a fair share of it is what udpx takes back
        // when it finds another flow holding the queue.
        _pathRate = Math.Max(rate, _pathRate * (1 - (1.0 / PathRateMemoryRounds)));
        _bandwidthMax = 0;
        foreach (double b in _bandwidth)
        {
            _bandwidthMax = Math.Max(_bandwidthMax, b);
        }
        // On a path whose RTT jitters by more than 250 µs, the smallest RTT of this round and the last (not in
        // start-up, whose window doubles each round): a queue stands through both, while jitter and a reordered
        // sample rarely raise every sample of two rounds. A clean path is read round by round, without the lag.
        long roundMin = InStartup || _jitter < 250 ? _roundMinRtt : Math.Min(_roundMinRtt, _previousRoundMinRtt);
        if (_roundMinRtt != long.MaxValue)
        {
            _previousRoundMinRtt = _roundMinRtt;
        }
        long reference = InStartup ? StartupBaseRtt() : _minRtt;
        long queue = reference == long.MaxValue || roundMin == long.MaxValue ? 0 : Math.Max(0, roundMin - reference);
        QueueDelayMicros = queue;
        _deepestQueue = Math.Max(queue, _deepestQueue - (_deepestQueue >> 6));
        ForgetOldOverflow(now);
        long target = Mode == CongestionMode.Background ? BackgroundTarget() : QueueTarget(InStartup);
        long samples = _roundAcked + _roundLost;

        // Random loss is what is lost while nothing queues: that loss is the path's, not ours.
        // A loss is found a round trip or more after it happened: only a second round without a queue
        // vouches that the queue was empty when those datagrams were sent.
        // On a path whose delay jitters, a queue shorter than twice the jitter is not one we can see.
        // Nor one that would hold less than one of our datagrams (Vegas's count: the window times the queue over the
        // RTT): what a window of two or three reads through as many samples on a path that jitters by milliseconds.
        // There the delivery rate is the window's, not the link's, so its datagram time (the RTT over the window)
        // is long enough to pass the jitter for a slow link's queue; every loss then passed for congestion and
        // held the window at 2-4, with the path's random loss never learnt (the soak's crawl: 7.3% loss, 9±5 ms).
        // The scavenger reads any queue: below one of its datagrams is where it lives beside another flow.
        bool holdsADatagram = queue > 0 && (Mode == CongestionMode.Background || _cwnd * queue >= reference + queue);
        bool queueSeen = holdsADatagram && queue >= Math.Max(Math.Min(target / 4, 500), Jittery ? (long)(2 * _jitter) : 0);
        // Nor is a round quiet while the window is far beyond what the path holds: that is a queue we cannot see
        // (the base RTT was measured with it) or one that overflows. Beyond twice the bandwidth-delay product, the
        // slack is what waits at the server for its acknowledgement batch plus four, at most 16: on a slow link a
        // slack of 16 is a shallow buffer several times over (10 Mbit/s with 5 ms holds four datagrams).
        // Until the random loss has been learnt from RandomLossLearnSamples, the product is over the smoothed RTT.
        // On a host's path the base RTT is its best moment (the lab's: 19-39 µs, against 80-250 usual), and a
        // window that only fills the path read as overdriven over it: the rate was learnt from the first quiet
        // round or two, at a window that every loss had cut to 20-30 before one came (1 to 23 quiet rounds a
        // transfer; estimates of 4.5 to 12% on a path that loses 10%), and one learnt low held the window there for
        // half a transfer (docs/performance.md, "Two trials on the slow runs at 10% loss"). Once learnt, the base
        // RTT again: a loss that rises in rounds far beyond what the path holds is then congestion, not a new rate.
        bool learning = _quietSamples < RandomLossLearnSamples;
        long baseRtt = _minRtt == long.MaxValue || learning ? _srtt : _minRtt;
        double slack = Math.Min(16, (_bandwidthMax * AckHoldMicros) + 4);
        bool overdriven = _cwnd > (2 * _bandwidthMax * Math.Max(baseRtt, 1)) + slack;
        // The scavenger's losses found in the round after a congested one are that congestion's, found late (RACK
        // waits a reordering allowance, and a cut's first round still carries what was sent before it): they are
        // neither the path's random loss nor a second event. Beside CUBIC in a buffer of four datagrams (10 Mbit/s,
        // 5 ms, 20 ms of RTT, CUBIC first) the round after start-up's overflow lost 14 of 24 and read as quiet: the
        // estimate began at 58% and stood at 32%, every later loss passed for random, and the scavenger took
        // 84.5% of the link.
        bool afterCongestion = Mode == CongestionMode.Background && _congestedLastRound;
        bool quiet = !queueSeen && !_queueSeenLastRound && !overdriven && !afterCongestion;
        _queueSeenLastRound = queueSeen;
        _emptyRounds = queueSeen ? 0 : _emptyRounds + 1;
        // A window twice what the path delivers over its smoothed RTT, with no queue to show for it, loses half of
        // what it sends to the buffer: no random loss explains that. Over the smoothed RTT, not the base one: a
        // host's scheduling (loopback, a veth pair, a virtual switch) makes its best moment far shorter than its
        // usual one, and on a jittery path the base RTT is its best sample's. Beyond that, the whole batch the
        // server holds before it acknowledges (up to 32 datagrams, and four more): the smoothed RTT leaves the
        // hold out, and on a fast short path the batch is most of the window. With the quiet rounds' cap of 16,
        // a window of 44 on the lab's host path (10% loss both ways, 25 µs best, 75 µs smoothed, 0.18
        // datagrams/µs) read as overrun, and every loss in it as congestion: half a transfer's cuts, 26-403 of
        // them, against 17-23 with the whole batch.
        double batch = (_bandwidthMax * AckHoldMicros) + 4;
        bool overrun = !Jittery && _cwnd > (2 * _bandwidthMax * Math.Max(_srtt, 1)) + batch;
        double expected = overrun ? 0 : RandomLoss * samples;
        // Three standard deviations over the random loss (a binomial count): a false alarm every few hundred rounds.
        // The estimate is itself a count, of the quiet samples, and its error grows with the round: a round of a
        // thousand samples read against a rate learnt from two hundred can be off by twice its own deviation.
        // On a host's path nearly every round is overdriven (its base RTT is its best moment, a tenth of its
        // usual one), so the rate is learnt from the first round or two and the error stays (the lab's 10% path:
        // estimates of 9 to 24%). Read as exact, one of 8% held a sender to a third of what one learnt well
        // delivers (RandomLossEstimateTests). The scavenger reads the rate as learnt: a false cut costs it
        // little, a missed one costs the flow it yields to.
        double estimateError = expected > 0 && Mode == CongestionMode.Normal
            ? samples * (double)samples * RandomLoss * (1 - RandomLoss) / _quietSamples
            : 0;
        // On a jittery path, one or two losses in a round are reordering more often than not (RACK resent too
        // early); an overflowing buffer loses more than that.
        double threshold = expected + (3 * Math.Sqrt(expected + estimateError)) + (expected >= 1 || Jittery ? 2 : 0);
        if (quiet && samples > 0)
        {
            double keep = Math.Exp(-samples / RandomLossMemory);
            _quietSamples = (_quietSamples * keep) + samples;
            _quietLosses = (_quietLosses * keep) + _roundLost;
        }
        bool congested = !quiet && !afterCongestion && _roundLost > threshold;
        _congestedLastRound = congested;

        if (congested)
        {
            _emptyRounds = 0;
            LearnOverflow(now);
        }
        bool filled = InStartup && Mode == CongestionMode.Normal && StartupFilledPath(queueSeen, rate);
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
        else if (filled && queue <= target)
        {
            YieldToQueue(queue, target, now);
        }
        else
        {
            // What the rules yield at: the target, or under half the buffer an overflow has shown.
            FollowQueue(queue, Math.Min(target, QueueTarget(InStartup, capped: true)), now);
        }
        CheckCompetitor(queue, target, now);
        ScheduleDrain(now, queue);
        if (TraceRounds)
        {
            Console.Error.WriteLine($"cc {now} id={RuntimeHelpers.GetHashCode(this) % 1000} cap={(OverflowCap == long.MaxValue ? -1 : OverflowCap)} r={_round} cwnd={_cwnd:F1} infl={_inFlight} srtt={_srtt} min={_minRtt} rmin={_roundMinRtt} q={queue} tgt={target} jit={_jitter:F0} bw={_bandwidthMax:F3} rate={rate:F3} acked={_roundAcked} lost={_roundLost} cong={congested} quiet={quiet} comp={Competing} cuts={_cutsThisEpisode} ss={InStartup} pace={_pacer.BytesPerSecond / 1e6:F0} rl={RandomLoss:F3} over={(overrun ? 2 : overdriven ? 1 : 0)}");
        }
        _lastQueue = queue;
        _roundStart = now;
        _roundDeliveredStart = _delivered;
        _roundAcked = 0;
        _roundLost = 0;
        _roundMinRtt = long.MaxValue;
    }

    /// <summary>
    /// A queue above target: cut to the window that fills the path without it, plus four datagrams. That is the
    /// smaller of the window scaled by base RTT over RTT (Vegas) and the delivery rate times the base RTT: the
    /// queue read lags a growing window by a round, the delivery rate of a full path does not.
    /// </summary>
    private void YieldToQueue(long queue, long target, long now)
    {
        long minRtt = _minRtt;
        // What waits at the server for its acknowledgement is no queue: the path's round trip, as the window
        // sees it, includes the server's hold.
        double pathRtt = minRtt + (ShortPath * AckHoldMicros);
        double window = Mode == CongestionMode.Background
            ? _cwnd * Math.Max(0.5, 1 - (0.5 * (queue - target) / target))
            : Math.Min(_cwnd * pathRtt / (pathRtt + queue), _bandwidthMax * pathRtt) + QueueAllowance(QueueTarget(startup: false, capped: true));
        if (window < _cwnd)
        {
            _wMax = _cwnd;
            _cwnd = Math.Max(ModeMinWindow, window);
            _epochStart = -1;
        }
        InStartup = false;
        _holdUntil = now + minRtt + queue;
    }

    /// <summary>
    /// The base RTT start-up reads its queue against. A path whose first data already waits in a queue (a
    /// virtual switch slow to forward a burst: 4.5 ms for the first round, 0.3 ms later) would give that as
    /// its minimum, and start-up would double on while the queue stood, into a buffer of a hundred
    /// datagrams. The handshake measured the path before any data: a full datagram may take longer than its
    /// small ones by its serialisation, 1.2 ms at 10 Mbit/s on a hop, but not by much more without a queue.
    /// </summary>
    private long StartupBaseRtt() =>
        _handshakeRtt == long.MaxValue ? _minRtt : Math.Min(_minRtt, _handshakeRtt + FullDatagramMicros);

    /// <summary>
    /// The datagrams a cut leaves queued on purpose (Vegas's alpha): four, or half the target's worth on a slow
    /// link. On a short path the base RTT is the host's best moment (an idle server, 50 µs on loopback), not
    /// its usual one: a cut to it alone would leave the sender waiting on the host, so there the cut keeps half
    /// the target queued, as the delay rule allows.
    /// </summary>
    private double QueueAllowance(long target)
    {
        double half = _bandwidthMax * Math.Min(target, OverflowCap) / 2;
        return Math.Clamp(half, 1, VegasAlpha + (ShortPath * half));
    }

    private void Decrease(double factor, long now)
    {
        // Fast convergence (RFC 9438 §4.7): a flow that lost again below its last peak leaves room sooner.
        _wMax = _cwnd < _wMax ? _cwnd * (1 + factor) / 2 : _cwnd;
        // On a path that loses at random, a tiny window cannot recover by acknowledgements (one loss leaves
        // nothing later to reveal it) and lives on timeouts: keep enough in flight for loss detection to work.
        // Not while a queue stands: then the losses are the buffer's, and in a shallow one (10 Mbit/s, 5 ms:
        // five datagrams) udpx's own overflow reads as random loss between them and would hold it at that floor.
        double floor = Mode == CongestionMode.Normal && RandomLoss > 0.02 && !_queueSeenLastRound ? LossyPathMinWindow : ModeMinWindow;
        if (Competing)
        {
            // Against a loss-based flow, a cut never leaves udpx less than a fair share's part of the path as it
            // stood (its rate times the RTT with the queue): both lose together at a full buffer, and
            // multiplicative cuts alone would keep whatever ratio the flows had.
            floor = Math.Max(floor, FairWindow(FairShareFloor, Math.Max(0, _srtt - _minRtt)));
        }
        _cwnd = Math.Max(floor, _cwnd * factor);
        _epochStart = -1;
        InStartup = false;
        CongestionEvents++;
        _lastDecreaseAt = now;
        _holdUntil = now + Math.Max(_srtt, 200);
    }

    /// <summary>
    /// Four datagram times at the path's rate, between 1 and 4 ms: a queue that long is ours to drain; on a
    /// path whose delay jitters, at least three times its jitter (up to 10 ms), so that jitter is not a queue.
    /// Not a part of the base RTT: a long path with a deep buffer would then keep a long queue standing.
    /// </summary>
    private long QueueTarget(bool startup, bool capped = false)
    {
        double datagramMicros = _bandwidthMax > 0 ? 1 / _bandwidthMax : 0;
        // On a short path (a LAN, loopback) the host's own scheduling moves the RTT by a millisecond or two, and a
        // cut for it costs most of a window that is mostly the server's acknowledgement batch: there the
        // floor is 3 ms, easing to 1 ms as the base RTT reaches 10 ms (where a 1 ms cut costs a tenth at most).
        // Not in start-up: there the window doubles each round, and a 3 ms queue read a round late is a buffer of
        // a few milliseconds (a switch, a virtual bridge) overflowed; ending start-up early costs little, since
        // its cut keeps the short path's allowance queued.
        long floor = startup ? 1_000 : 1_000 + (long)(ShortPath * (ShortPathQueueTargetMicros - 1_000));
        long target = Math.Clamp((long)(4 * datagramMicros), floor, 4_000);
        if (capped)
        {
            target = Math.Min(target, OverflowCap);
        }
        return Math.Max(target, Math.Min((long)(3 * _jitter), 10_000));
    }

    /// <summary>
    /// 1 on a path whose base RTT is near zero (loopback, a LAN), falling to 0 at 10 ms: how much the server's
    /// acknowledgement hold and the host's scheduling, both a millisecond or so, weigh beside the path's own
    /// delay. On a long path they are lost in its bandwidth-delay product and the rules ignore them.
    /// </summary>
    private double ShortPath => _minRtt == long.MaxValue ? 1 : Math.Clamp(1 - (_minRtt / (double)ShortPathMicros), 0, 1);

    /// <summary>
    /// How long the server holds a datagram before it acknowledges it: every 32 chunks, or 1 ms after the
    /// first it holds (docs/protocol.md). The RTT samples leave that hold out, so a window of the path's
    /// bandwidth-delay product alone would wait on the server's timer at every batch: on a fast path with a
    /// short RTT (loopback, a LAN) that is most of the window.
    /// </summary>
    private double AckHoldMicros => _bandwidthMax > 0 ? Math.Min(ServerAckHoldMicros, ServerAckBatch / _bandwidthMax) : 0;

    private long BackgroundTarget()
    {
        // Two datagram times at the path's rate, not the scavenger's own: yielding, its own rate is a trickle.
        double pathRate = Math.Max(_pathRate, _bandwidthMax);
        long floor = Math.Max(1_000, pathRate > 0 ? (long)(2 / pathRate) : 0);
        return Math.Clamp(_deepestQueue / 2, Math.Min(floor, BackgroundTargetMicros), BackgroundTargetMicros);
    }
}
