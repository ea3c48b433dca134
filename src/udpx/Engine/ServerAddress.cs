using System.Net;
using System.Net.Sockets;
using Udpx.Common;

namespace Udpx.Engine;

/// <summary>Parses "host:port", "[v6]:port" and resolves host names once, before any datagram is sent.</summary>
internal static class ServerAddress
{
    public static bool TryParse(string text, out string host, out int port, out string error, bool allowPortZero = false)
    {
        bool ok = HostPort.TryParse(text, out var hostPort, out error, allowPortZero);
        (host, port) = (hostPort.Host, hostPort.Port);
        return ok;
    }

    /// <summary>Resolves to one endpoint, IPv4 first. Throws <see cref="ArgumentException"/> with a clear message.</summary>
    public static IPEndPoint Resolve(string text)
    {
        if (!TryParse(text, out string host, out int port, out string error))
        {
            throw new ArgumentException(error);
        }
        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }
        try
        {
            var addresses = Dns.GetHostAddresses(host);
            var chosen = Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork) ?? (addresses.Length > 0 ? addresses[0] : null);
            return chosen is null ? throw new ArgumentException("'" + host + "' has no address") : new IPEndPoint(chosen, port);
        }
        catch (SocketException ex)
        {
            throw new ArgumentException("cannot resolve '" + host + "': " + ex.Message, ex);
        }
    }
}
