namespace Udpx.Engine;

/// <summary>
/// What an overflow teaches: how deep the buffer is. A buffer shallower than twice the delay target (a virtual
/// switch's socket buffer, a few milliseconds at its rate; a slow link's 5 ms) overflows before its queue reaches
/// the target, so the delay rule never acts and udpx would fill it to loss again and again. After a round lost to
/// congestion, the deepest queue seen lately is that buffer's depth (or the deeper one a lesson still standing
/// learnt: a buffer holds at least every queue it has shown), and the target and the queue kept on purpose stay
/// under half of it. Two flows through one shallow buffer that learn different depths get different targets, and
/// the one with the lower target yields to the other's queue for good. The lesson lasts
/// <see cref="OverflowMemoryMicros"/> and is then tried again: a competitor's burst, not the buffer, may have caused
/// that loss.
/// </summary>
internal sealed partial class CongestionController
{
    private const long OverflowMemoryMicros = 30_000_000;
    private const long OverflowTargetFloorMicros = 1_000;
    private const double StartupGrowth = 1.25;
    private const double StartupFlatShare = 0.8;

    private long _overflowQueue = long.MaxValue;
    private long _overflowLearntAt;
    private double _startupFullRate;

    /// <summary>The delay target's ceiling the last overflow set: half the buffer's depth, at least 1 ms.</summary>
    private long OverflowCap => _overflowQueue == long.MaxValue ? long.MaxValue : Math.Max(OverflowTargetFloorMicros, _overflowQueue / 2);

    private void LearnOverflow(long now)
    {
        if (_deepestQueue > 0)
        {
            _overflowQueue = _overflowQueue == long.MaxValue ? _deepestQueue : Math.Max(_overflowQueue, _deepestQueue);
            _overflowLearntAt = now;
        }
    }

    private void ForgetOldOverflow(long now)
    {
        if (_overflowQueue != long.MaxValue && now - _overflowLearntAt >= OverflowMemoryMicros)
        {
            _overflowQueue = long.MaxValue;
        }
    }

    private const double StartupCeilingGain = 2;

    /// <summary>
    /// The most start-up's window may grow to on a short path (a base RTT under 10 ms: a LAN, a virtual switch, the
    /// GNS3 lab): twice what the path delivers over a round trip halfway between the base and the smoothed one, plus
    /// the server's acknowledgement batch (BBR's start-up bound, cwnd gain 2; halfway, because on a host's own paths the
    /// base RTT is its best moment). There the bandwidth-delay product is a few tens of datagrams and the buffer a
    /// socket's hundred or so, so the doubling read a round late overshoots it: the real GNS3 lab's two start-ups
    /// through its switch's one socket resent 2-4% of their datagrams for that alone (docs/performance.md, "The real
    /// GNS3 lab's retransmissions"). On a long path the ceiling keeps nothing inside a shallow buffer (twice a
    /// bandwidth-delay product of hundreds of datagrams overflows it all the same) and only slows start-up, so it does
    /// not bind there: the largest window.
    /// </summary>
    private double StartupCeiling()
    {
        if (ShortPath <= 0 || _bandwidthMax <= 0 || _srtt <= 0)
        {
            return _maxWindow;
        }
        long rtt = (_srtt + Math.Min(_minRtt, _srtt)) / 2;
        double slack = Math.Min(16, (_bandwidthMax * AckHoldMicros) + 4);
        return Math.Min(_maxWindow, (StartupCeilingGain * _bandwidthMax * rtt) + slack);
    }

    /// <summary>
    /// Start-up has filled the path when a round delivers no more than a quarter above the best before it while a
    /// queue shows (BBR's full-pipe test, after one flat round instead of three: in a buffer of a few milliseconds
    /// the window that doubles on for two more rounds is lost). The round must deliver near that best, too: on a
    /// busy host (loopback) a round the scheduler cut short delivers a fraction of it, and says nothing of the path.
    /// </summary>
    private bool StartupFilledPath(bool queueSeen, double rate)
    {
        if (_bandwidthMax >= _startupFullRate * StartupGrowth)
        {
            _startupFullRate = _bandwidthMax;
            return false;
        }
        return queueSeen && rate >= StartupFlatShare * _bandwidthMax;
    }
}
