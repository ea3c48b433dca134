namespace Udpx.Engine;

/// <summary>Deciding what was lost: by send order and time (RACK) and by retransmission timeout.</summary>
internal sealed partial class SenderProtocol
{
    // RACK: the most recently sent transmission known delivered, its round trip, and when the oldest
    // one still in flight will count as lost if nothing newer is acknowledged first.
    private long _latestAckedSeq = -1;
    private long _rackRtt;
    private long _rackDeadline = long.MaxValue;

    // The reordering allowance, in halves of its base, widened when a loss verdict by order proves
    // premature (not on every duplicate the server reports: a path may duplicate on its own), at most
    // once per round trip: the earliest time it may widen again.
    private uint _duplicatesSeen;
    private int _reorderHalves = 2;
    private long _reorderMayWidenAt;
    private bool _prematureSeen;

    // The tail loss probe (RFC 8985 §7, with QUIC's backoff, RFC 9002 §6.2): the server holds an acknowledgement
    // for at most this long (`serve`'s AckDelay); at most this many probes until an acknowledgement, then the timer; the probe
    // looks this far back from the newest transmission for one still in flight.
    private const long ServerAckDelayMicros = 1_000;
    private const int MaxProbes = 2;
    private const int ProbeSearchDepth = 64;
    private long _lastDataSentAt;
    private int _probesSinceAck;

    /// <summary>
    /// Tail loss probes sent: a transmission in flight sent again after two smoothed RTTs (and the server's
    /// acknowledgement delay) with nothing heard and nothing sent, to draw an acknowledgement.
    /// </summary>
    public long TailProbes { get; private set; }

    /// <summary>Loss verdicts by order proved premature: the chunk arrived from the transmission judged lost.</summary>
    public long PrematureLosses { get; private set; }

    /// <summary>The duplicates the server reported receiving, as of the latest Ack.</summary>
    public uint DuplicatesReported => _duplicatesSeen;

    /// <summary>Times the reordering allowance was widened.</summary>
    public int ReorderWidenings { get; private set; }

    /// <summary>The reordering allowance as a multiple of its base (1 to 8).</summary>
    public int ReorderMultiple => _reorderHalves / 2;

    /// <summary>Transmissions judged lost because later ones were acknowledged.</summary>
    public long LossesByOrder { get; private set; }

    /// <summary>Transmissions judged lost because a retransmission timeout fired.</summary>
    public long LossesByTimeout { get; private set; }

    /// <summary>
    /// The reordering allowance before widening: a quarter of the path's RTT (RFC 8985), or the spread of its
    /// RTTs when delay jitter reorders more than that. It is widened each round trip a verdict by order proves
    /// premature (we resent too early).
    /// </summary>
    private long BaseReorderWindow
    {
        get
        {
            long minRtt = _rtt.MinMicros == long.MaxValue ? _rtt.SmoothedMicros : _rtt.MinMicros;
            long spread = Math.Max(0, _rtt.SmoothedMicros - minRtt) + (2 * _rtt.VarianceMicros);
            return Math.Max(minRtt / 4, spread);
        }
    }

    /// <summary>
    /// RACK (RFC 8985): a transmission is lost once one sent after it has been acknowledged and more than
    /// that one's round trip plus a reordering allowance has passed since it was sent.
    /// </summary>
    private void DetectLoss(long now)
    {
        long reorderWindow = Math.Max(BaseReorderWindow * _reorderHalves / 2, 1_000);
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
            _premature.OnLostByOrder(_order.OldestChunk, _order.OldestTime, now);
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

    /// <summary>
    /// RACK's most recently sent delivered transmission, from an acknowledgement's largest received packet
    /// number, when the acknowledgement describes that packet's chunk: one whose bitmap was cut to the size
    /// of what it answers (a Finish, a duplicate) says nothing of the chunks beyond it, which would all pass
    /// for lost (the last chunks of every transfer did, answered by the Finish's Ack).
    /// </summary>
    private void NoteLargestReceived(ulong largestReceived, ulong describedEnd, long now)
    {
        if ((long)largestReceived > _latestAckedSeq && largestReceived < _nextPacket
            && _order.TryFind((long)largestReceived, out long sentAt, out ulong chunk) && chunk < describedEnd)
        {
            // Packet numbers are never reused, so a retransmission's acknowledgement is never mistaken
            // for its original's (RFC 9002 §5.1).
            _latestAckedSeq = (long)largestReceived;
            _rackRtt = now - sentAt;
        }
    }

    /// <summary>
    /// The server's duplicate count, from an Ack echoing <paramref name="echo"/>. A rise is a premature
    /// retransmission only when the duplicate was a transmission judged lost by order (its late original);
    /// a path that duplicates datagrams raises it as well, and must not widen the reordering window.
    /// </summary>
    private void NoteDuplicates(uint duplicates, uint echo, long now)
    {
        if (duplicates != _duplicatesSeen)
        {
            _duplicatesSeen = duplicates;
            if (_premature.IsLateOriginal(echo, now, _rtt.MinMicros == long.MaxValue ? _rtt.SmoothedMicros : _rtt.MinMicros))
            {
                NotePremature();
            }
        }
    }

    private void NotePremature()
    {
        PrematureLosses++;
        _prematureSeen = true;
    }

    /// <summary>A verdict by order proved premature in this Ack: the path reorders more than we allowed for.</summary>
    private void WidenReorderWindowIfPremature(long now)
    {
        if (_prematureSeen && now >= _reorderMayWidenAt && _reorderHalves < 16)
        {
            _reorderHalves *= 2;
            _reorderMayWidenAt = now + _rtt.SmoothedMicros;
            ReorderWidenings++;
        }
        _prematureSeen = false;
    }

    /// <summary>The oldest logged transmission no longer stands for its chunk: behind the window, acknowledged, lost, or sent again since.</summary>
    private bool OldestIsStale() => !StandsInFlight(_order.OldestChunk, _order.OldestSends);

    /// <summary>A logged transmission (its chunk's <paramref name="sends"/>-th) still stands for its chunk, which is in flight.</summary>
    private bool StandsInFlight(ulong chunk, ushort sends) => chunk >= _cum && chunk < _next && _slots.IsInFlightFrom(chunk, sends);

    private void MarkOldestLost()
    {
        ulong chunk = _order.OldestChunk;
        _slots.MarkLost(chunk);
        _inFlight--;
        _lost.TryEnqueue(chunk);
    }

    /// <summary>
    /// When the retransmission timer fires: a timeout after the oldest transmission in flight, and, when RACK
    /// judges that one (one sent after it was delivered), as much again as the reordering allowance was widened.
    /// The widening says the path holds datagrams back that much longer: a timer that fired first resent them
    /// all the same, backed off, and took it for congestion. Unwidened, the timer stands as it was; it is also
    /// what answers a full buffer's losses quickly (RFC 6298 5.3's restart on each acknowledgement cost the
    /// full-bottleneck and fairness simulations their quick response).
    /// </summary>
    private long RetransmissionDeadline => _order.IsEmpty ? long.MaxValue
        : _order.OldestTime + _rtt.RtoMicros + (_order.OldestPacket < _latestAckedSeq ? BaseReorderWindow * ((_reorderHalves / 2) - 1) : 0);

    /// <summary>
    /// When a tail loss probe is due: two smoothed RTTs and the server's acknowledgement delay after the latest
    /// we heard or sent, while data is in flight, twice as long for the second probe, and only before the
    /// retransmission timer. A window all in flight whose last acknowledgement was lost (one in ten on a path
    /// that loses 10% both ways) hears nothing more: no acknowledgement frees room and none reveals a loss by
    /// order. Without a probe it waited for the timer (10 ms at least) and took for lost what had arrived.
    /// On a path of more than about 5 ms the timer (1.5 RTT at least) comes first, and the probe never goes.
    /// </summary>
    private long ProbeDeadline
    {
        get
        {
            if (_inFlight == 0 || _probesSinceAck >= MaxProbes || _order.IsEmpty)
            {
                return long.MaxValue;
            }
            long at = Math.Max(_lastHeardAt, _lastDataSentAt) + (((2 * _rtt.SmoothedMicros) + ServerAckDelayMicros) << _probesSinceAck);
            return at < RetransmissionDeadline ? at : long.MaxValue;
        }
    }

    /// <summary>The newest logged transmission still standing for its chunk (in flight).</summary>
    private bool TryFindNewestInFlight(out ulong chunk)
    {
        int last = _order.Count - 1;
        for (int offset = last; offset >= 0 && offset > last - ProbeSearchDepth; offset--)
        {
            chunk = _order.ChunkAt(offset);
            if (StandsInFlight(chunk, _order.SendsAt(offset)))
            {
                return true;
            }
        }
        chunk = 0;
        return false;
    }

    /// <summary>
    /// The probe: the newest transmission in flight again, outside the window and the pacer (it takes no room:
    /// its chunk is in flight already). If the first one arrived the server answers the duplicate at once; if it
    /// was lost, this one delivers it. Either way the acknowledgement that follows tells RACK what was lost.
    /// </summary>
    private int WriteTailProbe(Span<byte> buffer, ulong chunk, long now)
    {
        TailProbes++;
        return WriteChunk(buffer, chunk, ChunkLength(chunk), retransmission: true, now);
    }

    /// <summary>Nothing acknowledged for a whole timeout: everything sent before it is presumed lost.</summary>
    private void CheckRetransmissionTimeout(long now)
    {
        while (!_order.IsEmpty && OldestIsStale())
        {
            _order.RemoveOldest();
        }
        if (now < RetransmissionDeadline)
        {
            return;
        }
        // Lost is what has been outstanding for the timeout as it stands, and from the third firing in a row
        // with nothing heard, all that has been outstanding for the timeout as measured. The timer backs off
        // (Karn) and a cutoff read from it alone stays where the first firing put it: each firing took the
        // oldest transmission for lost, the rest of a stalled window kept the window full, and the stall doubled
        // from 10 ms to the 2 s cap (8 MiB through a simulated 200 ms outage: 3.4 s instead of 1.7). Not at the
        // second firing: acknowledgements held back for 40 ms on a 20 ms path (the fairness lab's delay stage)
        // reach it, and everything in flight went again for nothing (59% of the link became 49%).
        long cutoff = now - (_rtt.Backoffs >= 2 ? _rtt.BaseRtoMicros : _rtt.RtoMicros);
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
            _premature.OnLostByTimeout(_order.OldestChunk);
            MarkOldestLost();
            lost++;
            _order.RemoveOldest();
        }
        if (CongestionController.TraceRounds)
        {
            Console.Error.WriteLine($"cc rto {now} lost={lost} rto={_rtt.RtoMicros} base={_rtt.BaseRtoMicros} order={_order.Count} infl={_inFlight} heard={now - _lastHeardAt}");
        }
        _rtt.Backoff();
        LossesByTimeout += lost;
        _congestion.OnLost(lost, now);
        _congestion.OnTimeout(now);
    }
}
