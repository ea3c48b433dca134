namespace Udpx.Bench;

/// <summary>A peer tool on the same file: its runs, or why it has none.</summary>
internal sealed record PeerResult(string Tool, string Settings, long FileSize, string Status, string? Detail, IReadOnlyList<BenchSample> Samples)
{
    public const string Ok = "ok";
    public const string NotInstalled = "not installed";
    public const string Failed = "failed";

    public double? MedianSeconds => Samples.Count == 0 ? null : Median.Of(Samples, s => s.Seconds);

    public double? BytesPerSecond => Samples.Count == 0 ? null : Median.Of(Samples, s => s.Bytes) / Math.Max(MedianSeconds!.Value, 1e-9);

    public double? CpuSeconds => Samples.Count == 0 ? null : Median.Of(Samples, s => s.CpuSeconds);

    public double? CpuSecondsPerGB => Samples.Count == 0 ? null : CpuSeconds / (Median.Of(Samples, s => s.Bytes) / 1e9);

    public long PeakBytes => Samples.Count == 0 ? -1 : Samples.Max(s => s.ChildrenPeakBytes);

    /// <summary>
    /// The best udpx mode's throughput over this tool's, on the same file size, with datagrams no
    /// larger than the tool's (<see cref="Peers.PeerTool.ComparableDatagramSize"/>).
    /// </summary>
    public double? UdpxRatio { get; init; }

    /// <summary>The udpx point the ratio is taken against: its mode and datagram size.</summary>
    public string? UdpxMode { get; init; }

    public int? UdpxDatagramSize { get; init; }
}
