using System.Net;
using System.Net.Sockets;
using Udpx.Common;

namespace Udpx.Net;

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
    public static IPEndPoint Resolve(string text) => ResolveAll(text)[0];

    /// <summary>
    /// Every address of the server, IPv4 first, each family in the resolver's order; a transfer tries them in
    /// turn (the engine's ServerAddressProbe). "localhost" and "*.localhost" are both loopbacks without asking
    /// the resolver (RFC 6761), as curl does: /etc/hosts often names only one of them.
    /// Throws <see cref="ArgumentException"/> with a clear message.
    /// </summary>
    public static IPEndPoint[] ResolveAll(string text)
    {
        if (!TryParse(text, out string host, out int port, out string error))
        {
            throw new ArgumentException(error);
        }
        if (IPAddress.TryParse(host, out var address))
        {
            return [new IPEndPoint(address, port)];
        }
        if (IsLocalhost(host))
        {
            return [new IPEndPoint(IPAddress.Loopback, port), new IPEndPoint(IPAddress.IPv6Loopback, port)];
        }
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (SocketException ex)
        {
            throw new ArgumentException("cannot resolve '" + host + "': " + ex.Message, ex);
        }
        if (addresses.Length == 0)
        {
            throw new ArgumentException("'" + host + "' has no address");
        }
        var ordered = new List<IPEndPoint>(addresses.Length);
        foreach (var family in (ReadOnlySpan<AddressFamily>)[AddressFamily.InterNetwork, AddressFamily.InterNetworkV6])
        {
            foreach (var a in addresses)
            {
                var endpoint = new IPEndPoint(a, port);
                if (a.AddressFamily == family && !ordered.Contains(endpoint))
                {
                    ordered.Add(endpoint);
                }
            }
        }
        return ordered.Count > 0 ? [.. ordered] : [new IPEndPoint(addresses[0], port)];
    }

    private static bool IsLocalhost(string host)
    {
        string name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }
}
