namespace Udpx.Engine;

/// <summary>A token bucket in bytes per second; the optional fixed --rate cap, which always wins.</summary>
internal sealed class RateLimiter
{
    private readonly TokenBucket _bucket = new();

    public RateLimiter(long bytesPerSecond, int datagramSize)
    {
        BytesPerSecond = bytesPerSecond;
        // About 2 ms of traffic, at least a few datagrams, so timer granularity does not starve the link.
        _bucket.Set(bytesPerSecond / 1_000_000.0, Math.Max(4.0 * datagramSize, bytesPerSecond / 500.0));
    }

    public long BytesPerSecond { get; }

    public bool IsUnlimited => BytesPerSecond <= 0;

    public bool TryConsume(int bytes, long nowMicros) => _bucket.TryConsume(bytes, nowMicros);

    /// <summary>When enough tokens for <paramref name="bytes"/> will be there.</summary>
    public long ReadyAt(int bytes, long nowMicros) => _bucket.ReadyAt(bytes, nowMicros);
}
