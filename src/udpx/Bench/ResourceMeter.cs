namespace Udpx.Bench;

/// <summary>What one measured run cost this machine.</summary>
/// <param name="SelfCpuSeconds">User + system time of this process (client and in-process servers).</param>
/// <param name="ChildrenCpuSeconds">User + system time of child processes that ended during the run.</param>
/// <param name="ParentPeakBytes">This process's peak resident memory during the run (-1: unknown).</param>
/// <param name="ChildrenPeakBytes">The largest peak resident memory of any child process (-1: none seen).</param>
/// <param name="ChildProcesses">Distinct child processes seen while sampling.</param>
internal readonly record struct ResourceUsage(double SelfCpuSeconds, double ChildrenCpuSeconds, long ParentPeakBytes, long ChildrenPeakBytes, int ChildProcesses)
{
    public double CpuSeconds => SelfCpuSeconds + ChildrenCpuSeconds;
}

/// <summary>
/// Measures a run: CPU time of this process (<see cref="Environment.CpuUsage"/>, getrusage, microseconds)
/// plus that of every child that ended and was waited for during the run (cutime + cstime of
/// /proc/self/stat); this process's peak memory after resetting VmHWM at the start; the children's
/// peak memory by sampling.
/// </summary>
internal sealed class ResourceMeter : IDisposable
{
    private readonly TimeSpan _selfBefore;
    private readonly double _childrenBefore;
    private readonly ChildMemorySampler? _sampler;

    private ResourceMeter(bool sampleChildren)
    {
        // If the kernel refuses (before Linux 4.0), the peak is the process's lifetime peak instead.
        ProcFs.TryResetPeakResident();
        _sampler = sampleChildren && ProcFs.Available ? new ChildMemorySampler() : null;
        _childrenBefore = ProcFs.ReapedChildrenCpuSeconds();
        _selfBefore = Environment.CpuUsage.TotalTime;
    }

    public static ResourceMeter Start(bool sampleChildren) => new(sampleChildren);

    /// <summary>Call after every child started during the run has exited and been waited for.</summary>
    public ResourceUsage Stop()
    {
        double self = (Environment.CpuUsage.TotalTime - _selfBefore).TotalSeconds;
        double children = ProcFs.ReapedChildrenCpuSeconds() - _childrenBefore;
        _sampler?.Dispose();
        return new ResourceUsage(self, children, ProcFs.PeakResidentBytes(), _sampler?.PeakBytes ?? -1, _sampler?.ProcessesSeen ?? 0);
    }

    public void Dispose() => _sampler?.Dispose();
}
