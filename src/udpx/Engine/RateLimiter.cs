namespace Udpx.Engine;

/// <summary>A token bucket in bytes per second; the optional fixed --rate cap, which always wins.</summary>
internal sealed class RateLimiter
{
    private readonly double _bytesPerMicro;
    private readonly double _burst;
    private double _tokens;
    private long _last;

    public RateLimiter(long bytesPerSecond, int datagramSize)
    {
        BytesPerSecond = bytesPerSecond;
        _bytesPerMicro = bytesPerSecond / 1_000_000.0;
        // About 2 ms of traffic, at least a few datagrams, so timer granularity does not starve the link.
        _burst = Math.Max(4.0 * datagramSize, bytesPerSecond / 500.0);
        _tokens = _burst;
        _last = -1;
    }

    public long BytesPerSecond { get; }

    public bool IsUnlimited => BytesPerSecond <= 0;

    public bool TryConsume(int bytes, long nowMicros)
    {
        if (IsUnlimited)
        {
            return true;
        }
        Refill(nowMicros);
        if (_tokens < bytes)
        {
            return false;
        }
        _tokens -= bytes;
        return true;
    }

    /// <summary>When enough tokens for <paramref name="bytes"/> will be there.</summary>
    public long ReadyAt(int bytes, long nowMicros)
    {
        if (IsUnlimited)
        {
            return nowMicros;
        }
        Refill(nowMicros);
        return _tokens >= bytes ? nowMicros : nowMicros + (long)Math.Ceiling((bytes - _tokens) / _bytesPerMicro);
    }

    private void Refill(long now)
    {
        if (_last < 0)
        {
            _last = now;
            return;
        }
        if (now > _last)
        {
            _tokens = Math.Min(_burst, _tokens + ((now - _last) * _bytesPerMicro));
            _last = now;
        }
    }
}
