namespace Udpx.Server;

/// <summary>Server-wide counters, written by the receive thread, read by anyone.</summary>
internal sealed class ServerStats
{
    private long _datagrams;
    private long _bytes;
    private long _notUdpx;
    private long _badChecksum;
    private long _malformed;
    private long _unknownSession;
    private long _wrongPeer;
    private long _badCookie;
    private long _rejected;
    private long _completed;
    private long _failed;
    private long _internalErrors;
    private long _unauthenticated;
    private long _uncheckable;
    private long _replays;
    private long _repeatedOffers;

    public long Datagrams => Volatile.Read(ref _datagrams);

    public long Bytes => Volatile.Read(ref _bytes);

    public long NotUdpx => Volatile.Read(ref _notUdpx);

    public long BadChecksum => Volatile.Read(ref _badChecksum);

    public long Malformed => Volatile.Read(ref _malformed);

    public long UnknownSession => Volatile.Read(ref _unknownSession);

    public long WrongPeer => Volatile.Read(ref _wrongPeer);

    public long BadCookie => Volatile.Read(ref _badCookie);

    public long Rejected => Volatile.Read(ref _rejected);

    public long Completed => Volatile.Read(ref _completed);

    public long Failed => Volatile.Read(ref _failed);

    /// <summary>Datagrams dropped for a missing or wrong authentication tag.</summary>
    public long Unauthenticated => Volatile.Read(ref _unauthenticated);

    internal void CountUnauthenticated() => Volatile.Write(ref _unauthenticated, _unauthenticated + 1);

    /// <summary>Encrypted Data for no session of that peer that is still receiving (late retransmissions, or noise): no key to check them with; dropped.</summary>
    public long Uncheckable => Volatile.Read(ref _uncheckable);

    internal void CountUncheckable() => Volatile.Write(ref _uncheckable, _uncheckable + 1);

    /// <summary>Authenticated datagrams dropped because their packet number was seen before or fell behind the window.</summary>
    public long Replays => Volatile.Read(ref _replays);

    internal void CountReplay() => Volatile.Write(ref _replays, _replays + 1);

    /// <summary>Exceptions caught in the receive loop: always zero unless udpx has a bug.</summary>
    public long InternalErrors => Volatile.Read(ref _internalErrors);

    public string? LastInternalError { get; private set; }

    internal void CountInternalError(Exception ex)
    {
        Interlocked.Increment(ref _internalErrors);
        LastInternalError = ex.GetType().Name + ": " + ex.Message;
    }

    internal void Received(int bytes)
    {
        Volatile.Write(ref _datagrams, _datagrams + 1);
        Volatile.Write(ref _bytes, _bytes + bytes);
    }

    internal void CountNotUdpx() => Volatile.Write(ref _notUdpx, _notUdpx + 1);

    internal void CountBadChecksum() => Volatile.Write(ref _badChecksum, _badChecksum + 1);

    internal void CountMalformed() => Volatile.Write(ref _malformed, _malformed + 1);

    internal void CountUnknownSession() => Volatile.Write(ref _unknownSession, _unknownSession + 1);

    internal void CountWrongPeer() => Volatile.Write(ref _wrongPeer, _wrongPeer + 1);

    internal void CountBadCookie() => Volatile.Write(ref _badCookie, _badCookie + 1);

    /// <summary>Offers for a session that had already ended, answered with its result: late repeats and replays.</summary>
    public long RepeatedOffers => Volatile.Read(ref _repeatedOffers);

    internal void CountRepeatedOffer() => Volatile.Write(ref _repeatedOffers, _repeatedOffers + 1);

    internal void CountRejected() => Volatile.Write(ref _rejected, _rejected + 1);

    internal void CountCompleted() => Volatile.Write(ref _completed, _completed + 1);

    internal void CountFailed() => Volatile.Write(ref _failed, _failed + 1);

    /// <summary>The counters of several receive threads added up, as one snapshot (for the screen, once a second).</summary>
    public static ServerStats Sum(IReadOnlyList<ServerStats> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }
        var sum = new ServerStats();
        foreach (var p in parts)
        {
            sum._datagrams += p.Datagrams;
            sum._bytes += p.Bytes;
            sum._notUdpx += p.NotUdpx;
            sum._badChecksum += p.BadChecksum;
            sum._malformed += p.Malformed;
            sum._unknownSession += p.UnknownSession;
            sum._wrongPeer += p.WrongPeer;
            sum._badCookie += p.BadCookie;
            sum._rejected += p.Rejected;
            sum._completed += p.Completed;
            sum._failed += p.Failed;
            sum._internalErrors += p.InternalErrors;
            sum._unauthenticated += p.Unauthenticated;
            sum._replays += p.Replays;
            sum._repeatedOffers += p.RepeatedOffers;
            sum.LastInternalError ??= p.LastInternalError;
        }
        return sum;
    }
}
