using System.Net.Sockets;

namespace Udpx.Server;

/// <summary>
/// SO_REUSEPORT on Linux: several UDP sockets bound to one address and port, among which the kernel spreads
/// arriving datagrams by a hash of their address pair, so one client's datagrams always reach the same socket.
/// </summary>
internal static class ReusePort
{
    private const int SolSocket = 1;
    private const int SoReusePort = 15;

    public static bool IsSupported => OperatingSystem.IsLinux();

    public static void Enable(Socket socket)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("several receive threads need SO_REUSEPORT (Linux)");
        }
        socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
    }

    /// <summary>
    /// Throws <see cref="SocketException"/> (address in use) when anything is bound to <paramref name="bind"/>,
    /// a group of SO_REUSEPORT sockets included: a plain socket cannot join one. Closed again at once.
    /// </summary>
    public static void EnsureFree(System.Net.IPEndPoint bind)
    {
        using var probe = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6)
        {
            probe.DualMode = true;
        }
        probe.Bind(bind);
    }
}
