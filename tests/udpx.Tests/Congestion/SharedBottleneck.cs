namespace Udpx.Tests.Congestion;

/// <summary>
/// A drop-tail FIFO at a fixed rate, shared by every flow of a simulation (a tc tbf, or a router's
/// output queue): each datagram leaves after those before it, or is dropped when the buffer is full.
/// It counts what each flow got through and how long datagrams queued.
/// </summary>
internal sealed class SharedBottleneck
{
    private readonly double _bytesPerMicro;
    private readonly long _bufferBytes;
    private readonly Random _random;
    private long _freeAt;
    private readonly Queue<(long DepartAt, int Bytes)> _queued = new();
    private long _queuedBytes;

    /// <param name="bitsPerSecond">The bottleneck's rate.</param>
    /// <param name="bufferMicros">Its buffer, in time at that rate (tbf's latency).</param>
    /// <param name="randomLoss">Loss on the link itself, independent of the queue.</param>
    public SharedBottleneck(double bitsPerSecond, long bufferMicros, double randomLoss = 0, int seed = 1)
    {
        _bytesPerMicro = bitsPerSecond / 8 / 1_000_000;
        _bufferBytes = Math.Max(3000, (long)(_bytesPerMicro * bufferMicros));
        RandomLoss = randomLoss;
        _random = new Random(seed);
    }

    public double RandomLoss { get; }

    public double BytesPerSecond => _bytesPerMicro * 1_000_000;

    /// <summary>Counting starts here (after the warm-up).</summary>
    public long MeasureFrom { get; set; }

    public Dictionary<int, long> DepartedBytes { get; } = [];

    public Dictionary<int, long> Dropped { get; } = [];

    public long QueueSamples { get; private set; }

    public double QueueMicrosSum { get; private set; }

    public double MeanQueueMicros => QueueSamples == 0 ? 0 : QueueMicrosSum / QueueSamples;

    /// <summary>
    /// A forwarder that is a process on a busy host (GNS3's switch, ubridge): every
    /// <see cref="StallEveryMicros"/> it is descheduled for this long and forwards nothing, while what arrives
    /// queues in its socket buffer.
    /// </summary>
    public long StallMicros { get; init; }

    public long StallEveryMicros { get; init; } = 50_000;

    /// <summary>Takes a datagram of <paramref name="flow"/> at <paramref name="now"/>; false if dropped, else when it leaves.</summary>
    public bool TryEnter(int flow, int bytes, long now, out long departAt)
    {
        while (_queued.Count > 0 && _queued.Peek().DepartAt <= now)
        {
            _queuedBytes -= _queued.Dequeue().Bytes;
        }
        departAt = 0;
        if (_queuedBytes + bytes > _bufferBytes)
        {
            Count(Dropped, flow, 1, now);
            return false;
        }
        long start = Math.Max(now, _freeAt);
        if (StallMicros > 0 && start % StallEveryMicros < StallMicros)
        {
            start += StallMicros - (start % StallEveryMicros);
        }
        _freeAt = start + Math.Max(1, (long)Math.Round(bytes / _bytesPerMicro));
        departAt = _freeAt;
        _queued.Enqueue((departAt, bytes));
        _queuedBytes += bytes;
        if (now >= MeasureFrom)
        {
            QueueSamples++;
            QueueMicrosSum += start - now;
        }
        if (RandomLoss > 0 && _random.NextDouble() < RandomLoss)
        {
            Count(Dropped, flow, 1, now);
            return false;
        }
        Count(DepartedBytes, flow, bytes, departAt);
        return true;
    }

    private void Count(Dictionary<int, long> counts, int flow, long amount, long at)
    {
        if (at >= MeasureFrom)
        {
            counts[flow] = counts.GetValueOrDefault(flow) + amount;
        }
    }
}
