namespace Udpx.Engine;

/// <summary>
/// Spreads datagrams over time at the congestion controller's pacing rate: a token bucket whose depth
/// is the bound on back-to-back datagrams above that rate, max(2 datagrams, 250 µs of the rate), and
/// never more than one GSO batch (64 KiB). Not thread-safe: its controller holds the lock.
/// </summary>
internal sealed class Pacer
{
    public const long BurstMicros = 250;
    public const int MaxBurstBytes = 64 * 1024;
    public const long WakeMicros = 50;

    private readonly int _datagramSize;
    private readonly TokenBucket _bucket = new();

    public Pacer(int datagramSize)
    {
        _datagramSize = datagramSize;
        SetRate(0);
    }

    /// <summary>Bytes per second; 0 leaves sends unpaced (before the first round-trip sample).</summary>
    public double BytesPerSecond => _bucket.BytesPerMicro * 1_000_000;

    public void SetRate(double bytesPerSecond)
    {
        double perMicro = bytesPerSecond / 1_000_000;
        _bucket.Set(perMicro, Math.Max(2.0 * _datagramSize, Math.Min(perMicro * BurstMicros, MaxBurstBytes)));
    }

    public bool TryConsume(int bytes, long now) => _bucket.TryConsume(bytes, now);

    /// <summary>
    /// When enough tokens for <paramref name="bytes"/> (at most the bucket's depth) will be there. A sender is
    /// woken for what <see cref="WakeMicros"/> of the rate brings, not for each datagram: a wake per datagram at a
    /// high rate costs a system call or two each, and a timer does not wake sooner than its slack (50 µs on
    /// Linux) anyway.
    /// </summary>
    public long ReadyAt(int bytes, long now) => _bucket.ReadyAt(Math.Max(bytes, _bucket.BytesPerMicro * WakeMicros), now);
}
