namespace Udpx.Bench;

/// <summary>Everything one `udpx bench` measured.</summary>
internal sealed record BenchResults(IReadOnlyList<BenchPointResult> Points, IReadOnlyList<PeerResult> Peers)
{
    public bool Ok => Points.All(p => p.Ok);

    /// <summary>The fastest verified udpx point on single files of this size, for the peers' ratios.</summary>
    public BenchPointResult? BestFor(long size) => Points
        .Where(p => p.FileSize == size && p.Count == 1 && p.Ok)
        .OrderByDescending(p => p.BytesPerSecond)
        .FirstOrDefault();
}
