using Udpx.Engine;

namespace Udpx.Tests.Engine;

/// <summary>A controller's window sent through its pacer under a virtual clock, as a sender's loop sends it.</summary>
internal static class PacedWindow
{
    /// <summary>
    /// Takes room for up to a window of <paramref name="datagram"/>-byte datagrams, moving <paramref name="now"/>
    /// on by <paramref name="step"/> while the pacer holds the next one back: how many went.
    /// </summary>
    public static int Send(CongestionController path, ref long now, int datagram, long step = 10, int maxTries = 200_000)
    {
        int sent = 0;
        int window = path.Window;
        for (int tries = 0; sent < window && tries < maxTries; tries++)
        {
            if (path.TryAcquire(datagram, now))
            {
                sent++;
            }
            else
            {
                now += step;
            }
        }
        return sent;
    }
}
