using System.Net;
using System.Net.Sockets;

namespace Udpx.Bench.Peers;

/// <summary>Ports on 127.0.0.1 nobody uses right now, found by letting the kernel pick one.</summary>
internal static class FreePort
{
    public static int Tcp() => Pick(SocketType.Stream, ProtocolType.Tcp, 1);

    public static int Udp() => Pick(SocketType.Dgram, ProtocolType.Udp, 1);

    /// <summary>A UDP port whose next <paramref name="count"/> - 1 neighbours are free too (udpcast's port base).</summary>
    public static int UdpRange(int count) => Pick(SocketType.Dgram, ProtocolType.Udp, count);

    private static int Pick(SocketType type, ProtocolType protocol, int count)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            var sockets = new List<Socket>();
            try
            {
                var first = new Socket(AddressFamily.InterNetwork, type, protocol);
                sockets.Add(first);
                first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                int port = ((IPEndPoint)first.LocalEndPoint!).Port;
                if (port + count - 1 > IPEndPoint.MaxPort)
                {
                    continue;
                }
                bool all = true;
                for (int i = 1; i < count && all; i++)
                {
                    var next = new Socket(AddressFamily.InterNetwork, type, protocol);
                    sockets.Add(next);
                    try
                    {
                        next.Bind(new IPEndPoint(IPAddress.Loopback, port + i));
                    }
                    catch (SocketException)
                    {
                        all = false;
                    }
                }
                if (all)
                {
                    return port;
                }
            }
            finally
            {
                foreach (var socket in sockets)
                {
                    socket.Dispose();
                }
            }
        }
        throw new PeerFailure("no free port on 127.0.0.1");
    }
}
