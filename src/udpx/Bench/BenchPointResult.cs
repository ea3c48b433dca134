using Udpx.Modes;

namespace Udpx.Bench;

/// <summary>A point's runs and the figures the tables show: medians over the runs, peaks as maxima.</summary>
internal sealed record BenchPointResult(string Mode, int Workers, long FileSize, int Count, int DatagramSize, IReadOnlyList<BenchSample> Samples)
{
    public static BenchPointResult From(BenchPoint point, IReadOnlyList<BenchSample> samples) =>
        new(point.Mode.Name(), point.Workers, point.FileSize, point.Count, point.DatagramSize, samples);

    public string Label => Workers > 0 ? Mode + " \u00d7" + Workers : Mode;

    public bool Ok => Samples.Count > 0 && Samples.All(s => s.Verified);

    public long TotalBytes => FileSize * Count;

    public double MedianSeconds => Median.Of(Samples, s => s.Seconds);

    /// <summary>Decimal bytes per second over the median time.</summary>
    public double BytesPerSecond => Math.Round(TotalBytes / Math.Max(MedianSeconds, 1e-9));

    public double DatagramsPerSecond => Math.Round(Median.Of(Samples, s => s.Datagrams) / Math.Max(MedianSeconds, 1e-9));

    public double Retransmitted => Median.Of(Samples, s => s.Retransmitted);

    public double CpuSeconds => Median.Of(Samples, s => s.CpuSeconds);

    public double CpuSecondsPerGB => Math.Round(CpuSeconds / (TotalBytes / 1e9), 3);

    public long ParentPeakBytes => Samples.Count == 0 ? -1 : Samples.Max(s => s.ParentPeakBytes);

    public long WorkersPeakBytes => Samples.Count == 0 ? -1 : Samples.Max(s => s.ChildrenPeakBytes);

    /// <summary>Median time divided by the file count: what one more file costs.</summary>
    public double SecondsPerFile => MedianSeconds / Count;
}
