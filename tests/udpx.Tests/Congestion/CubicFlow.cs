namespace Udpx.Tests.Congestion;

/// <summary>
/// A TCP CUBIC sender as the kernel runs it (RFC 9438: β 0.7, C 0.4, slow start, one decrease per
/// round trip), reduced to what a competitor needs: packets of 1500 bytes, every one acknowledged
/// (SACK-like), loss found when three later packets were acknowledged, and no pacing (ACK clocking).
/// The simulation calls it with the time; it says when it wants to send.
/// </summary>
internal sealed class CubicFlow(int id, long startAt, long stopAt = long.MaxValue)
{
    public const int PacketBytes = 1500;
    private const double Beta = 0.7;
    private const double C = 0.4;

    private readonly SortedSet<long> _outstanding = [];
    private readonly Dictionary<long, long> _sentAt = [];
    private double _cwnd = 10;
    private double _ssthresh = double.MaxValue;
    private double _wMax;
    private double _k;
    private long _epochStart = -1;
    private double _reno;
    private long _nextSeq;
    private long _highestAcked = -1;
    private long _recoverUntilSeq = -1;
    private long _srtt;
    private long _minRtt = long.MaxValue;
    private long _lastAckAt;

    public int Id => id;

    public long StartAt => startAt;

    public int Window => (int)_cwnd;

    public long Losses { get; private set; }

    /// <summary>Packets it would send now: the window has room (and its transfer has not ended).</summary>
    public bool WantsToSend(long now) => now >= startAt && now < stopAt && _outstanding.Count < (int)_cwnd;

    public long Send(long now)
    {
        long seq = _nextSeq++;
        _outstanding.Add(seq);
        _sentAt[seq] = now;
        if (_lastAckAt == 0)
        {
            _lastAckAt = now;
        }
        return seq;
    }

    public void OnAck(long seq, long now)
    {
        if (!_outstanding.Remove(seq))
        {
            return;
        }
        long rtt = now - _sentAt[seq];
        _sentAt.Remove(seq);
        _srtt = _srtt == 0 ? rtt : ((7 * _srtt) + rtt) / 8;
        _minRtt = Math.Min(_minRtt, rtt);
        _highestAcked = Math.Max(_highestAcked, seq);
        _lastAckAt = now;
        // Everything three or more below the highest acknowledged is lost (fast retransmit's threshold).
        while (_outstanding.Count > 0 && _outstanding.Min < _highestAcked - 2)
        {
            long lost = _outstanding.Min;
            _outstanding.Remove(lost);
            _sentAt.Remove(lost);
            Losses++;
            if (lost > _recoverUntilSeq)
            {
                Decrease(now);
            }
        }
        Grow(now);
    }

    /// <summary>No acknowledgement for a long time: a retransmission timeout.</summary>
    public void CheckTimeout(long now)
    {
        long rto = Math.Max(200_000, 4 * _srtt);
        if (_outstanding.Count > 0 && now - _lastAckAt > rto)
        {
            Losses += _outstanding.Count;
            _outstanding.Clear();
            _sentAt.Clear();
            _ssthresh = Math.Max(2, _cwnd * Beta);
            _cwnd = 1;
            _epochStart = -1;
            _lastAckAt = now;
        }
    }

    private void Decrease(long now)
    {
        _recoverUntilSeq = _nextSeq - 1;
        _wMax = _cwnd < _wMax ? _cwnd * (1 + Beta) / 2 : _cwnd;
        _cwnd = Math.Max(2, _cwnd * Beta);
        _ssthresh = _cwnd;
        _epochStart = -1;
    }

    private void Grow(long now)
    {
        if (_cwnd < _ssthresh)
        {
            _cwnd += 1;
            return;
        }
        if (_epochStart < 0)
        {
            _epochStart = now;
            _k = Math.Cbrt(Math.Max(0, _wMax - _cwnd) / C);
            _reno = _cwnd;
        }
        double t = (now - _epochStart + _minRtt) / 1_000_000.0;
        double target = _wMax + (C * Math.Pow(t - _k, 3));
        _reno += 3 * (1 - Beta) / (1 + Beta) / _cwnd;
        double goal = Math.Min(Math.Max(target, _reno), 1.5 * _cwnd);
        if (goal > _cwnd)
        {
            _cwnd += (goal - _cwnd) / _cwnd;
        }
    }
}
