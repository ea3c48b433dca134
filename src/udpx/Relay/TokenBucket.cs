namespace Udpx.Relay;

/// <summary>
/// A bottleneck link of a fixed rate in bytes per second, as a token bucket that may go into
/// debt: a datagram that finds too few tokens is not refused but leaves later, when the
/// tokens it borrowed have been earned back (the queue of a slow link). Past a backlog limit
/// the link's buffer is full and the datagram is refused (tail drop). Thread-safe.
/// </summary>
internal sealed class TokenBucket
{
    /// <summary>Smallest backlog: a little more than the largest UDP datagram, so an idle link always takes one.</summary>
    public const long MinBacklogBytes = 128 * 1024;

    /// <summary>Smallest burst: one full-size Ethernet frame.</summary>
    public const long MinBurstBytes = 1500;

    private readonly Lock _gate = new();
    private readonly double _bytesPerTimestamp;
    private readonly double _burst;
    private readonly double _backlog;
    private double _tokens;
    private long _refilledAt;

    /// <param name="bytesPerSecond">Rate of the link.</param>
    /// <param name="timestampFrequency">Ticks per second of the timestamps passed in.</param>
    /// <param name="burstBytes">Bytes an idle link may send at once.</param>
    /// <param name="backlogBytes">Bytes that may wait for the link before datagrams are refused.</param>
    /// <param name="now">Timestamp of creation; the bucket starts full.</param>
    public TokenBucket(long bytesPerSecond, long timestampFrequency, long burstBytes, long backlogBytes, long now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(timestampFrequency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(burstBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(backlogBytes);
        _bytesPerTimestamp = (double)bytesPerSecond / timestampFrequency;
        _burst = burstBytes;
        _backlog = backlogBytes;
        _tokens = burstBytes;
        _refilledAt = now;
    }

    /// <summary>
    /// The relay's link for a rate: bursts of 10 ms worth of bytes, a backlog of 250 ms worth,
    /// each at least <see cref="MinBurstBytes"/> and <see cref="MinBacklogBytes"/>.
    /// </summary>
    public static TokenBucket ForRate(long bytesPerSecond, long timestampFrequency, long now) =>
        new(
            bytesPerSecond,
            timestampFrequency,
            Math.Max(MinBurstBytes, bytesPerSecond / 100),
            Math.Max(MinBacklogBytes, bytesPerSecond / 4),
            now);

    /// <summary>
    /// Takes tokens for <paramref name="bytes"/>. True with the timestamp at which the datagram
    /// may leave (now, or later when the link is busy); false when the backlog is full.
    /// </summary>
    public bool TryReserve(int bytes, long now, out long departure)
    {
        lock (_gate)
        {
            if (now > _refilledAt)
            {
                _tokens = Math.Min(_burst, _tokens + ((now - _refilledAt) * _bytesPerTimestamp));
                _refilledAt = now;
            }

            var after = _tokens - bytes;
            if (after < -_backlog)
            {
                departure = now;
                return false;
            }

            _tokens = after;
            departure = after >= 0 ? now : _refilledAt + (long)Math.Ceiling(-after / _bytesPerTimestamp);
            return true;
        }
    }
}
