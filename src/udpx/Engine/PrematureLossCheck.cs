namespace Udpx.Engine;

/// <summary>
/// Tells a loss verdict by order that proved premature (the path reordered more than RACK allowed for) from
/// the path duplicating datagrams on its own. Both raise the server's duplicate count, and only the first
/// is a reason to widen the reordering window (RFC 8985 widens on DSACKs of retransmitted segments); a
/// duplicating path must not slow loss detection. Two proofs, neither of which a network duplicate gives,
/// since no transmission of a duplicated datagram was judged lost:
/// <list type="bullet">
/// <item>an Ack credits a chunk judged lost by order while its largest received packet number is below the
/// chunk's retransmission (or nothing was resent yet): the server had the chunk from the transmission judged
/// lost (Eifel's test, RFC 3522, exact with packet numbers);</item>
/// <item>the duplicate count rises on an Ack that echoes the send time of a transmission judged lost by order,
/// at least half a base RTT after the verdict: the server answers a duplicate at once with its send time, so
/// the duplicate was that late original, arriving after its retransmission. (A network duplicate of a datagram
/// sent in the same microsecond, one GSO batch, comes back about an RTT after it was sent, before the verdict.)</item>
/// </list>
/// Arrays sized once; nothing allocates afterwards.
/// </summary>
internal sealed class PrematureLossCheck
{
    private const long NotResent = long.MaxValue;

    // Per slot of the send window: 0 when there is nothing to check, NotResent when the chunk was judged lost
    // by order and not sent since, else the packet number of the retransmission that followed that verdict.
    private readonly long[] _resentAs;
    private readonly int _slotMask;

    // The latest verdicts by order: the lost transmission's send time (as the wire carries it) and the verdict's time.
    private readonly uint[] _lostSentAt;
    private readonly long[] _verdictAt;
    private readonly int _verdictMask;
    private int _nextVerdict;
    private int _knownVerdicts;

    /// <param name="slots">The send window's ring size (a power of two).</param>
    /// <param name="verdicts">How many recent verdicts to remember (a power of two).</param>
    public PrematureLossCheck(int slots, int verdicts)
    {
        _resentAs = new long[slots];
        _slotMask = slots - 1;
        _lostSentAt = new uint[verdicts];
        _verdictAt = new long[verdicts];
        _verdictMask = verdicts - 1;
    }

    /// <summary>The oldest transmission of <paramref name="chunk"/>, sent at <paramref name="sentAt"/>, is judged lost by order.</summary>
    public void OnLostByOrder(ulong chunk, long sentAt, long now)
    {
        _resentAs[Slot(chunk)] = NotResent;
        _lostSentAt[_nextVerdict] = (uint)sentAt;
        _verdictAt[_nextVerdict] = now;
        _nextVerdict = (_nextVerdict + 1) & _verdictMask;
        _knownVerdicts = Math.Min(_knownVerdicts + 1, _lostSentAt.Length);
    }

    /// <summary>Judged lost by timeout: a later acknowledgement says nothing of the reordering window.</summary>
    public void OnLostByTimeout(ulong chunk) => _resentAs[Slot(chunk)] = 0;

    /// <summary><paramref name="chunk"/> went out as packet <paramref name="packet"/>.</summary>
    public void OnSent(ulong chunk, long packet, bool retransmission)
    {
        ref long slot = ref _resentAs[Slot(chunk)];
        if (!retransmission)
        {
            slot = 0; // the slot's previous chunk is done with
        }
        else if (slot == NotResent)
        {
            slot = packet;
        }
    }

    /// <summary>
    /// An Ack whose largest received packet number is <paramref name="largestReceived"/> credits
    /// <paramref name="chunk"/> (in flight or lost): true when that proves its verdict by order premature.
    /// </summary>
    public bool IsPrematureCredit(ulong chunk, ulong largestReceived)
    {
        ref long slot = ref _resentAs[Slot(chunk)];
        bool premature = slot != 0 && (long)largestReceived < slot;
        slot = 0;
        return premature;
    }

    /// <summary>
    /// The duplicate count rose on an Ack echoing <paramref name="echo"/>: true when the duplicate was a
    /// transmission judged lost by order, arriving after its retransmission could have.
    /// </summary>
    public bool IsLateOriginal(uint echo, long now, long minRtt)
    {
        for (int i = 0; i < _knownVerdicts; i++)
        {
            if (_lostSentAt[i] == echo && now - _verdictAt[i] >= minRtt / 2)
            {
                return true;
            }
        }
        return false;
    }

    public void Clear()
    {
        Array.Clear(_resentAs);
        _nextVerdict = 0;
        _knownVerdicts = 0;
    }

    private int Slot(ulong chunk) => (int)(chunk & (ulong)_slotMask);
}
