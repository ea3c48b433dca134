namespace Udpx.Bench;

/// <summary>
/// Watches this process's descendants (worker processes, peer tools and their forks) every 10 ms and
/// keeps the highest VmHWM seen. A child's VmHWM is its own running peak, so one sample late in its
/// life is enough; only growth in its last few milliseconds can be missed (the figure is a lower bound).
/// A child that has not yet called exec still runs our command line in our memory (.NET starts
/// processes with vfork), and its VmHWM would be ours: such a child is skipped until it has exec'd.
/// </summary>
internal sealed class ChildMemorySampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private readonly HashSet<int> _seen = [];
    private readonly byte[] _ownCommandLine = ProcFs.CommandLine("self");
    private long _peak = -1;
    private bool _disposed;

    public ChildMemorySampler()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "udpx-bench-memory" };
        _thread.Start();
    }

    /// <summary>Highest peak resident bytes of any descendant seen; -1 when none was seen.</summary>
    public long PeakBytes => Interlocked.Read(ref _peak);

    /// <summary>How many distinct descendant processes were seen.</summary>
    public int ProcessesSeen { get; private set; }

    private void Loop()
    {
        do
        {
            Sample();
        }
        while (!_stop.Wait(Interval));
        Sample();
    }

    private void Sample()
    {
        var pending = new Stack<int>(ProcFs.Children());
        while (pending.Count > 0)
        {
            int pid = pending.Pop();
            string id = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (ProcFs.CommandLine(id).AsSpan().SequenceEqual(_ownCommandLine))
            {
                continue;
            }
            long peak = ProcFs.PeakResidentBytes(id);
            if (peak > Interlocked.Read(ref _peak))
            {
                Interlocked.Exchange(ref _peak, peak);
            }
            if (_seen.Add(pid))
            {
                ProcessesSeen = _seen.Count;
            }
            foreach (int grandchild in ProcFs.Children(id))
            {
                pending.Push(grandchild);
            }
        }
    }

    /// <summary>Stops after one last sample.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }
}
