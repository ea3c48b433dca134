namespace Udpx.Engine;

/// <summary>Deciding what was lost: by send order and time (RACK) and by retransmission timeout.</summary>
internal sealed partial class SenderProtocol
{
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
        while (_orderCount > 0)
        {
            if (IsStale(_orderHead, out int slot))
            {
                PopOrder();
                continue;
            }
            if (_orderPacket[_orderHead] >= _latestAckedSeq)
            {
                break;
            }
            long lostAt = _orderTime[_orderHead] + _rackRtt + reorderWindow;
            if (now < lostAt)
            {
                _rackDeadline = lostAt;
                break;
            }
            MarkLost(slot);
            lost++;
            PopOrder();
        }
        if (lost > 0)
        {
            LossesByOrder += lost;
            _congestion.OnLost(lost);
        }
    }

    /// <summary>The send time of data packet <paramref name="packet"/> while it is still in the send-order log (binary search: numbers only grow).</summary>
    private bool TryFindSendTime(long packet, out long sentAt)
    {
        int low = 0;
        int high = _orderCount - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            int index = (_orderHead + middle) % _orderChunk.Length;
            long number = _orderPacket[index];
            if (number == packet)
            {
                sentAt = _orderTime[index];
                return true;
            }
            if (number < packet)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        sentAt = 0;
        return false;
    }

    private bool IsStale(int index, out int slot)
    {
        ulong chunk = _orderChunk[index];
        slot = (int)(chunk & (ulong)_mask);
        return chunk < _cum || chunk >= _next || _state[slot] != InFlight || _tx[slot] != _orderTx[index];
    }

    private void MarkLost(int slot)
    {
        _state[slot] = Lost;
        _inFlight--;
        ulong chunk = _orderChunk[_orderHead];
        if (_lostCount <= _mask)
        {
            _lost[(_lostHead + _lostCount) & _mask] = chunk;
            _lostCount++;
        }
    }

    private void PopOrder()
    {
        _orderHead = (_orderHead + 1) % _orderChunk.Length;
        _orderCount--;
    }

    /// <summary>Nothing acknowledged for a whole timeout: everything sent before it is presumed lost.</summary>
    private void CheckRetransmissionTimeout(long now)
    {
        while (_orderCount > 0 && IsStale(_orderHead, out _))
        {
            PopOrder();
        }
        if (_orderCount == 0 || now - _orderTime[_orderHead] < _rtt.RtoMicros)
        {
            return;
        }
        long cutoff = now - _rtt.RtoMicros;
        int lost = 0;
        while (_orderCount > 0)
        {
            if (IsStale(_orderHead, out int slot))
            {
                PopOrder();
                continue;
            }
            if (_orderTime[_orderHead] > cutoff)
            {
                break;
            }
            MarkLost(slot);
            lost++;
            PopOrder();
        }
        _rtt.Backoff();
        LossesByTimeout += lost;
        _congestion.OnLost(lost);
        _congestion.OnTimeout();
    }
}
