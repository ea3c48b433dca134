namespace Udpx.Bench;

/// <summary>One measured run of a point (or of a peer tool): every file sent once, then checked.</summary>
internal sealed record BenchSample
{
    public double Seconds { get; init; }

    /// <summary>Bytes delivered and verified.</summary>
    public long Bytes { get; init; }

    public long Datagrams { get; init; }

    public long Retransmitted { get; init; }

    /// <summary>This process: the client side of thread modes and the in-process servers.</summary>
    public double SelfCpuSeconds { get; init; }

    /// <summary>Child processes (workers, peer tools) that ended during the run.</summary>
    public double ChildrenCpuSeconds { get; init; }

    public double CpuSeconds => Math.Round(SelfCpuSeconds + ChildrenCpuSeconds, 4);

    /// <summary>Peak resident memory of this process during the run; -1 when unknown.</summary>
    public long ParentPeakBytes { get; init; }

    /// <summary>Largest peak resident memory of any child process; -1 when there was none.</summary>
    public long ChildrenPeakBytes { get; init; }

    public int ChildProcesses { get; init; }

    /// <summary>Bytes allocated by the sending threads (blocking driver), summed over the transfers; -1 when not measured.</summary>
    public long AllocatedBytes { get; init; } = -1;

    /// <summary>Every file verified by its server and identical (XxHash128) to its source.</summary>
    public bool Verified { get; init; }

    public string? Error { get; init; }

    /// <summary>A figure a tool reports itself, e.g. iperf3's loss.</summary>
    public string? Note { get; init; }

    public static BenchSample From(double seconds, ResourceUsage usage) => new()
    {
        Seconds = seconds,
        SelfCpuSeconds = Math.Round(usage.SelfCpuSeconds, 4),
        ChildrenCpuSeconds = Math.Round(usage.ChildrenCpuSeconds, 4),
        ParentPeakBytes = usage.ParentPeakBytes,
        ChildrenPeakBytes = usage.ChildrenPeakBytes,
        ChildProcesses = usage.ChildProcesses,
    };
}
