using System.Diagnostics;
using Udpx.Server;

namespace Udpx.Tests.Reliability;

/// <summary>
/// Keeps a flood from outrunning the server it targets: after each datagram sent, waits while more than
/// a socket buffer's worth are still unread by the server, so the kernel drops (almost) none. Should some
/// be dropped anyway, the server stops making progress; after <c>stallMilliseconds</c> without any they are
/// written off and the flood goes on.
/// </summary>
internal sealed class FloodPacer(ServerStats stats, int maxLag = 2048, int stallMilliseconds = 50)
{
    private readonly long _baseline = stats.Datagrams;
    private long _sent;
    private long _writtenOff;

    /// <summary>Datagrams the server has read since the pacer was made.</summary>
    public long Read => stats.Datagrams - _baseline;

    public long Sent => _sent;

    /// <summary>Datagrams presumed dropped by the kernel (never read by the server).</summary>
    public long WrittenOff => _writtenOff;

    public void OnSent()
    {
        _sent++;
        if ((_sent & 63) != 0 || Lag <= maxLag)
        {
            return;
        }
        long last = Read;
        var still = Stopwatch.StartNew();
        while (Lag > maxLag / 2)
        {
            Thread.Sleep(0);
            long read = Read;
            if (read != last)
            {
                last = read;
                still.Restart();
            }
            else if (still.ElapsedMilliseconds > stallMilliseconds)
            {
                _writtenOff += Lag;
                return;
            }
        }
    }

    /// <summary>Waits until the server has read everything sent (or stopped reading for a while).</summary>
    public void Settle()
    {
        long last = Read;
        var still = Stopwatch.StartNew();
        while (Lag > 0 && still.ElapsedMilliseconds < Math.Max(500, stallMilliseconds))
        {
            Thread.Sleep(1);
            if (Read != last)
            {
                last = Read;
                still.Restart();
            }
        }
    }

    private long Lag => _sent - _writtenOff - Read;
}
