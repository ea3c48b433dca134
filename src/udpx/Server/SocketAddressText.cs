using System.Net;
using System.Net.Sockets;

namespace Udpx.Server;

/// <summary>Turns a raw socket address into "ip:port" text; done once per session, never per datagram.</summary>
internal static class SocketAddressText
{
    public static string Format(SocketAddress address)
    {
        try
        {
            var endpoint = address.Family == AddressFamily.InterNetworkV6
                ? new IPEndPoint(IPAddress.IPv6Any, 0).Create(address)
                : new IPEndPoint(IPAddress.Any, 0).Create(address);
            return endpoint.ToString() ?? "?";
        }
        catch (ArgumentException)
        {
            return "?";
        }
    }
}
