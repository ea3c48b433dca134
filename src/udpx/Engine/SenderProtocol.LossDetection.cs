namespace Udpx.Engine;

/// <summary>Deciding what was lost: by send order and time (RACK) and by retransmission timeout.</summary>
internal sealed partial class SenderProtocol
{
    // RACK: the most recently sent transmission known delivered, its round trip, and when the oldest
    // one still in flight will count as lost if nothing newer is acknowledged first.
    private long _latestAckedSeq = -1;
    private long _rackRtt;
    private long _rackDeadline = long.MaxValue;

    // The reordering allowance, in halves of its base, widened when the server reports duplicates.
    private uint _duplicatesSeen;
    private int _reorderHalves = 2;
    private long _reorderWidenedAt = long.MinValue;

    /// <summary>Transmissions judged lost because later ones were acknowledged.</summary>
    public long LossesByOrder { get; private set; }

    /// <summary>Transmissions judged lost because a retransmission timeout fired.</summary>
    public long LossesByTimeout { get; private set; }

    /// <summary>
    /// RACK (RFC 8985): a transmission is lost once one sent after it has been acknowledged and more than
    /// that one's round trip plus a reordering allowance has passed since it was sent.
    /// </summary>
    private void DetectLoss(long now)
    {
        // A quarter of the path's RTT (RFC 8985), or the spread of its RTTs when delay jitter reorders
        // more than that, widened each round trip the server reports duplicates (we resent too early).
        long minRtt = _rtt.MinMicros == long.MaxValue ? _rtt.SmoothedMicros : _rtt.MinMicros;
        long spread = Math.Max(0, _rtt.SmoothedMicros - minRtt) + (2 * _rtt.VarianceMicros);
        long reorderWindow = Math.Max(Math.Max(minRtt / 4, spread) * _reorderHalves / 2, 1_000);
        _rackDeadline = long.MaxValue;
        int lost = 0;
        while (!_order.IsEmpty)
        {
            if (OldestIsStale())
            {
                _order.RemoveOldest();
                continue;
            }
            if (_order.OldestPacket >= _latestAckedSeq)
            {
                break;
            }
            // The later transmission's round trip, or the smoothed one when that came back quicker than most:
            // under jitter, one fast sample must not make every slower one a loss.
            long lostAt = _order.OldestTime + Math.Max(_rackRtt, _rtt.SmoothedMicros) + reorderWindow;
            if (now < lostAt)
            {
                _rackDeadline = lostAt;
                break;
            }
            MarkOldestLost();
            lost++;
            _order.RemoveOldest();
        }
        if (lost > 0)
        {
            LossesByOrder += lost;
            _congestion.OnLost(lost, now);
        }
    }

    /// <summary>RACK's most recently sent delivered transmission, from an acknowledgement's largest received packet number.</summary>
    private void NoteLargestReceived(ulong largestReceived, long now)
    {
        if ((long)largestReceived > _latestAckedSeq && largestReceived < _nextPacket
            && _order.TryFindSendTime((long)largestReceived, out long sentAt))
        {
            // Packet numbers are never reused, so a retransmission's acknowledgement is never mistaken
            // for its original's (RFC 9002 §5.1).
            _latestAckedSeq = (long)largestReceived;
            _rackRtt = now - sentAt;
        }
    }

    private void NoteDuplicates(uint duplicates, long now)
    {
        if (duplicates != _duplicatesSeen)
        {
            // The server got something twice: a retransmission was premature, so the path reorders
            // more than we allowed for. Widen the reordering window, at most once per round trip.
            _duplicatesSeen = duplicates;
            if (now - _reorderWidenedAt > _rtt.SmoothedMicros)
            {
                _reorderHalves = Math.Min(_reorderHalves * 2, 16);
                _reorderWidenedAt = now;
            }
        }
    }

    /// <summary>The oldest logged transmission no longer stands for its chunk: behind the window, acknowledged, lost, or sent again since.</summary>
    private bool OldestIsStale()
    {
        ulong chunk = _order.OldestChunk;
        return chunk < _cum || chunk >= _next || !_slots.IsInFlightFrom(chunk, _order.OldestSends);
    }

    private void MarkOldestLost()
    {
        ulong chunk = _order.OldestChunk;
        _slots.MarkLost(chunk);
        _inFlight--;
        _lost.TryEnqueue(chunk);
    }

    /// <summary>Nothing acknowledged for a whole timeout: everything sent before it is presumed lost.</summary>
    private void CheckRetransmissionTimeout(long now)
    {
        while (!_order.IsEmpty && OldestIsStale())
        {
            _order.RemoveOldest();
        }
        if (_order.IsEmpty || now - _order.OldestTime < _rtt.RtoMicros)
        {
            return;
        }
        long cutoff = now - _rtt.RtoMicros;
        int lost = 0;
        while (!_order.IsEmpty)
        {
            if (OldestIsStale())
            {
                _order.RemoveOldest();
                continue;
            }
            if (_order.OldestTime > cutoff)
            {
                break;
            }
            MarkOldestLost();
            lost++;
            _order.RemoveOldest();
        }
        _rtt.Backoff();
        LossesByTimeout += lost;
        _congestion.OnLost(lost, now);
        _congestion.OnTimeout(now);
    }
}
