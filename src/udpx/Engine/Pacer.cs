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
    private double _bytesPerMicro;
    private double _burst;
    private double _tokens;
    private long _last = -1;

    public Pacer(int datagramSize)
    {
        _datagramSize = datagramSize;
        SetRate(0);
    }

    /// <summary>Bytes per second; 0 leaves sends unpaced (before the first round-trip sample).</summary>
    public double BytesPerSecond => _bytesPerMicro * 1_000_000;

    public void SetRate(double bytesPerSecond)
    {
        _bytesPerMicro = bytesPerSecond / 1_000_000;
        _burst = Math.Max(2.0 * _datagramSize, Math.Min(_bytesPerMicro * BurstMicros, MaxBurstBytes));
        _tokens = Math.Min(_tokens, _burst);
        if (_last < 0)
        {
            _tokens = _burst;
        }
    }

    public bool TryConsume(int bytes, long now)
    {
        if (_bytesPerMicro <= 0)
        {
            return true;
        }
        Refill(now);
        if (_tokens < bytes)
        {
            return false;
        }
        _tokens -= bytes;
        return true;
    }

    /// <summary>When enough tokens for <paramref name="bytes"/> (at most the bucket's depth) will be there.</summary>
    public long ReadyAt(int bytes, long now)
    {
        if (_bytesPerMicro <= 0)
        {
            return now;
        }
        Refill(now);
        // A sender is woken for what WakeMicros of the rate brings, not for each datagram: a wake per datagram at a
        // high rate costs a system call or two each, and a timer does not wake sooner than its slack (50 µs on
        // Linux) anyway. More than the bucket holds is ready when the bucket is full.
        double need = Math.Min(Math.Max(bytes, _bytesPerMicro * WakeMicros), _burst);
        return _tokens >= need ? now : now + (long)Math.Ceiling((need - _tokens) / _bytesPerMicro);
    }

    private void Refill(long now)
    {
        if (_last < 0)
        {
            _last = now;
            return;
        }
        // Transfers sharing a path read the clock on their own threads: a time older than the last is not a refill.
        if (now > _last)
        {
            _tokens = Math.Min(_burst, _tokens + ((now - _last) * _bytesPerMicro));
            _last = now;
        }
    }
}
