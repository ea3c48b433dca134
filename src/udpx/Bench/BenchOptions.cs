using Udpx.Modes;

namespace Udpx.Bench;

/// <summary>What `udpx bench` measures, already checked.</summary>
internal sealed record BenchOptions
{
    public required IReadOnlyList<ConcurrencyMode> Modes { get; init; }

    public required IReadOnlyList<long> Sizes { get; init; }

    /// <summary>Files per point, each sent once per run.</summary>
    public int Count { get; init; } = 1;

    public required IReadOnlyList<int> DatagramSizes { get; init; }

    /// <summary>Worker counts for the modes that have workers (process-async, thread-async).</summary>
    public required IReadOnlyList<int> Workers { get; init; }

    public int Servers { get; init; } = 2;

    public int Repeat { get; init; } = 3;

    public bool Peers { get; init; }

    /// <summary>The points for one file size, in table order: datagram size, then mode, then workers.</summary>
    public IEnumerable<BenchPoint> PointsFor(long size)
    {
        foreach (int datagramSize in DatagramSizes.Distinct())
        {
            foreach (var mode in Modes.Distinct())
            {
                foreach (int workers in BenchPoint.HasWorkers(mode) ? Workers.Distinct() : [0])
                {
                    yield return new BenchPoint(mode, workers, size, Count, datagramSize);
                }
            }
        }
    }
}
