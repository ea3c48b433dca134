namespace Udpx.Bench;

/// <summary>Everything one `udpx bench` measured.</summary>
internal sealed record BenchResults(IReadOnlyList<BenchPointResult> Points, IReadOnlyList<PeerResult> Peers)
{
    public bool Ok => Points.All(p => p.Ok);

    /// <summary>
    /// The fastest verified udpx point on single files of this size, with datagrams no larger than
    /// <paramref name="maxDatagramSize"/>, for the peers' ratios.
    /// </summary>
    public BenchPointResult? BestFor(long size, int maxDatagramSize = int.MaxValue) => Points
        .Where(p => p.FileSize == size && p.Count == 1 && p.Ok && p.DatagramSize <= maxDatagramSize)
        .OrderByDescending(p => p.BytesPerSecond)
        .FirstOrDefault();

    /// <summary>The peer's result with its ratio to the best udpx point it is fairly compared with.</summary>
    public PeerResult Compare(PeerResult peer, int? comparableDatagramSize)
    {
        var best = BestFor(peer.FileSize, comparableDatagramSize ?? int.MaxValue);
        return best is not null && peer.BytesPerSecond is > 0
            ? peer with { UdpxRatio = Math.Round(best.BytesPerSecond / peer.BytesPerSecond.Value, 3), UdpxMode = best.Label, UdpxDatagramSize = best.DatagramSize }
            : peer;
    }
}
