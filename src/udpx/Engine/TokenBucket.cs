namespace Udpx.Engine;

/// <summary>
/// Bytes over time: tokens accrue at a rate up to a depth, and a send spends them. A rate of 0 or less
/// lets everything through. Not thread-safe: its owner serialises calls. The fixed --rate cap
/// (<see cref="RateLimiter"/>) and the congestion controller's pacing (<see cref="Pacer"/>) are both one.
/// </summary>
internal sealed class TokenBucket
{
    private double _bytesPerMicro;
    private double _depth;
    private double _tokens;
    private long _last = -1;

    public double BytesPerMicro => _bytesPerMicro;

    /// <summary>A new rate and depth; the tokens held stay (up to the new depth), and a bucket never used starts full.</summary>
    public void Set(double bytesPerMicro, double depth)
    {
        _bytesPerMicro = bytesPerMicro;
        _depth = depth;
        _tokens = _last < 0 ? depth : Math.Min(_tokens, depth);
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

    /// <summary>When the bucket will hold <paramref name="bytes"/> (at most its depth).</summary>
    public long ReadyAt(double bytes, long now)
    {
        if (_bytesPerMicro <= 0)
        {
            return now;
        }
        Refill(now);
        double need = Math.Min(bytes, _depth);
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
            _tokens = Math.Min(_depth, _tokens + ((now - _last) * _bytesPerMicro));
            _last = now;
        }
    }
}
