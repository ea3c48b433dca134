using System.Globalization;

namespace Udpx.Bench.Peers;

/// <summary>
/// CPU time of peer processes that end without being waited for by their parent, so that it never
/// reaches our cutime: e.g. tftpd-hpa's per-transfer child, still lingering when the server is stopped.
/// </summary>
internal sealed class UnreapedCpu
{
    private double _seconds;

    /// <summary>Adds what every descendant of <paramref name="pid"/> (not the process itself) has used so far.</summary>
    public void AddDescendantsOf(int pid)
    {
        var pending = new Stack<int>(ProcFs.Children(pid.ToString(CultureInfo.InvariantCulture)));
        while (pending.Count > 0)
        {
            string id = pending.Pop().ToString(CultureInfo.InvariantCulture);
            _seconds += ProcFs.CpuSeconds(id);
            foreach (int child in ProcFs.Children(id))
            {
                pending.Push(child);
            }
        }
    }

    /// <summary>The seconds counted since the last call.</summary>
    public double Take()
    {
        double seconds = _seconds;
        _seconds = 0;
        return seconds;
    }
}
