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
}
