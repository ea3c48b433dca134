using System.Net.Sockets;

namespace Udpx.Net;

/// <summary>
/// Large socket buffers absorb bursts instead of dropping them. Where the kernel caps what a program may
/// ask for (net.core.rmem_max / wmem_max), root may still force it (SO_RCVBUFFORCE / SO_SNDBUFFORCE); when
/// neither works the caller is told how much it really got, so it can warn.
/// </summary>
internal static class SocketBuffers
{
    private const int SolSocket = 1;
    private const int SoSendBufferForce = 32;
    private const int SoReceiveBufferForce = 33;

    /// <summary>Sets both buffers; returns a one-line warning when the kernel granted less, else null.</summary>
    public static string? Apply(Socket socket, int bytes)
    {
        int receive = Set(socket, bytes, SoReceiveBufferForce, receive: true);
        int send = Set(socket, bytes, SoSendBufferForce, receive: false);
        if (receive >= bytes && send >= bytes)
        {
            return null;
        }
        return "the kernel granted socket buffers of " + (receive >> 10) + " KiB (receive) and " + (send >> 10)
            + " KiB (send) instead of " + (bytes >> 10) + " KiB; bursts may be dropped and resent. Raise the limits with"
            + " sysctl -w net.core.rmem_max=" + bytes + " net.core.wmem_max=" + bytes + ", or run as root";
    }

    private static int Set(Socket socket, int bytes, int forceOption, bool receive)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                socket.SetRawSocketOption(SolSocket, forceOption, BitConverter.GetBytes(bytes));
            }
            catch (SocketException)
            {
                // Not root: fall back to the limited option below.
            }
        }
        try
        {
            if (Granted(socket, receive) < bytes)
            {
                if (receive)
                {
                    socket.ReceiveBufferSize = bytes;
                }
                else
                {
                    socket.SendBufferSize = bytes;
                }
            }
        }
        catch (SocketException)
        {
        }
        return Granted(socket, receive);
    }

    /// <summary>Linux reports twice what it grants (it counts its own bookkeeping); report what we can use.</summary>
    private static int Granted(Socket socket, bool receive)
    {
        int reported = receive ? socket.ReceiveBufferSize : socket.SendBufferSize;
        return OperatingSystem.IsLinux() ? reported / 2 : reported;
    }
}
