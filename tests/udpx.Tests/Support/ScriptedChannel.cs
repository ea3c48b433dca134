using Udpx.InMemory;

namespace Udpx.Tests.Support;

/// <summary>
/// A simulated one-way link with a seeded fate for each datagram: loss, duplication, corruption,
/// reordering (extra delay), a fixed latency and optionally a bottleneck with a drop-tail queue.
/// </summary>
internal sealed class ScriptedChannel : IDatagramPath
{
    private readonly Random _random;
    private long _bottleneckFreeAt;

    public ScriptedChannel(int seed) => _random = new Random(seed);

    public double Loss { get; init; }

    public double Duplicate { get; init; }

    public double Corrupt { get; init; }

    public double Reorder { get; init; }

    public long LatencyMicros { get; init; } = 5_000;

    /// <summary>Each datagram waits an extra uniform 0..JitterMicros (independently: this reorders).</summary>
    public long JitterMicros { get; init; }

    /// <summary>Bytes per microsecond through the bottleneck; 0 for none.</summary>
    public double BottleneckBytesPerMicro { get; init; }

    public long QueueLimitMicros { get; init; } = 20_000;

    /// <summary>The second copy of a duplicated datagram arrives up to this much later than the first: a late duplicate.</summary>
    public long LateDuplicateMicros { get; init; }

    /// <summary>Datagrams for which this says true are always dropped (a black hole for one chunk, say).</summary>
    public Func<byte[], bool>? DropIf { get; init; }

    /// <summary>Datagram numbers (0-based, in order of sending) that are always dropped.</summary>
    public HashSet<long> DropScript { get; init; } = [];

    public long Sent { get; private set; }

    public long Dropped { get; private set; }

    public long Duplicated { get; private set; }

    public long Corrupted { get; private set; }

    public long Reordered { get; private set; }

    public long QueueDrops { get; private set; }

    /// <summary>When the bottleneck queue overflowed, for diagnostics.</summary>
    public List<long> QueueDropTimes { get; } = [];

    /// <summary>When set, every datagram offered to the link is shown to it (an eavesdropper).</summary>
    public Action<byte[]>? Tap { get; init; }

    /// <summary>One datagram onto the in-memory network: each of its arrivals handed on.</summary>
    public void Carry(ReadOnlySpan<byte> datagram, long nowMicros, IArrivals arrivals)
    {
        foreach (var (at, bytes) in Transmit(datagram, nowMicros))
        {
            arrivals.Arrive(at, bytes);
        }
    }

    /// <summary>Decides the fate of one datagram; returns its arrivals (time, bytes).</summary>
    public IEnumerable<(long At, byte[] Bytes)> Transmit(ReadOnlySpan<byte> datagram, long now)
    {
        long number = Sent++;
        Tap?.Invoke(datagram.ToArray());
        var result = new List<(long, byte[])>(2);
        long departAt = now;
        if (BottleneckBytesPerMicro > 0)
        {
            long start = Math.Max(now, _bottleneckFreeAt);
            if (start - now > QueueLimitMicros)
            {
                QueueDrops++;
                QueueDropTimes.Add(now);
                return result;
            }
            _bottleneckFreeAt = start + (long)Math.Ceiling(datagram.Length / BottleneckBytesPerMicro);
            departAt = _bottleneckFreeAt;
        }
        if (DropScript.Contains(number) || _random.NextDouble() < Loss || (DropIf is not null && DropIf(datagram.ToArray())))
        {
            Dropped++;
            return result;
        }
        int copies = _random.NextDouble() < Duplicate ? 2 : 1;
        if (copies == 2)
        {
            Duplicated++;
        }
        for (int i = 0; i < copies; i++)
        {
            byte[] bytes = datagram.ToArray();
            if (_random.NextDouble() < Corrupt)
            {
                Corrupted++;
                int bit = _random.Next(bytes.Length * 8);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            }
            long at = departAt + LatencyMicros + (JitterMicros > 0 ? _random.NextInt64(JitterMicros + 1) : 0);
            if (_random.NextDouble() < Reorder)
            {
                Reordered++;
                at += _random.Next(1, 3 * (int)Math.Max(1, LatencyMicros));
            }
            if (i == 1 && LateDuplicateMicros > 0)
            {
                at += _random.NextInt64(LateDuplicateMicros + 1);
            }
            result.Add((at + i, bytes));
        }
        return result;
    }
}
