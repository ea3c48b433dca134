using System.Diagnostics;
using System.Net;

namespace Udpx.Engine;

/// <summary>
/// One congestion controller per server per process: every transfer of this process to a server joins
/// that server's controller for as long as it runs. A path left idle for <see cref="ForgetAfter"/> is
/// learnt anew (the network may have changed); one in use keeps what it measured.
/// </summary>
internal static class SharedPaths
{
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromSeconds(5);

    private static readonly Dictionary<(string Server, int DatagramSize, CongestionMode Mode), Entry> Paths = [];

    /// <summary>
    /// Joins <paramref name="server"/>'s controller; a new one starts from <paramref name="initialWindow"/>
    /// when it is positive (a warm start a worker process is handed), from the controller's default otherwise.
    /// </summary>
    public static PathLease Join(EndPoint server, int datagramSize, int maxWindow, CongestionMode mode, int initialWindow = 0)
    {
        var key = (server.ToString() ?? string.Empty, datagramSize, mode);
        lock (Paths)
        {
            long now = Stopwatch.GetTimestamp();
            if (!Paths.TryGetValue(key, out var entry) || (entry.Users == 0 && Stopwatch.GetElapsedTime(entry.IdleSince, now) > ForgetAfter))
            {
                entry = new Entry(new CongestionController(datagramSize, maxWindow, mode, initialWindow > 0 ? initialWindow : CongestionController.InitialWindow));
                Paths[key] = entry;
            }
            entry.Users++;
            entry.Controller.IsShared = entry.Users > 1;
            return new PathLease(entry);
        }
    }

    internal static void Leave(Entry entry)
    {
        lock (Paths)
        {
            entry.Users--;
            entry.Controller.IsShared = entry.Users > 1;
            if (entry.Users == 0)
            {
                entry.IdleSince = Stopwatch.GetTimestamp();
            }
        }
    }

    internal sealed class Entry(CongestionController controller)
    {
        public CongestionController Controller { get; } = controller;

        public int Users { get; set; }

        public long IdleSince { get; set; }
    }
}

/// <summary>A transfer's membership of its path's controller; disposing it leaves the path.</summary>
internal sealed class PathLease : IDisposable
{
    private SharedPaths.Entry? _entry;

    internal PathLease(SharedPaths.Entry entry) => _entry = entry;

    public CongestionController Controller => (_entry ?? throw new ObjectDisposedException(nameof(PathLease))).Controller;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _entry, null) is { } entry)
        {
            SharedPaths.Leave(entry);
        }
    }
}
