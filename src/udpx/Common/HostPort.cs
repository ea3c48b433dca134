using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Udpx.Common;

/// <summary>
/// An endpoint as written: "host:port", "[v6]:port". To connect, a host name stays a name until it is resolved; to
/// bind, "PORT" and ":PORT" also mean every IPv4 interface and port 0 picks a free port.
/// </summary>
internal sealed record HostPort(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]:" + Port : Host + ":" + Port;

    /// <summary>Reads "host:port" or "[v6]:port"; the port from 1 (0 too with <paramref name="allowPortZero"/>) to 65535.</summary>
    public static bool TryParse(string text, out HostPort value, out string error, bool allowPortZero = false)
    {
        value = new HostPort(string.Empty, 0);
        error = string.Empty;
        text = text.Trim();
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = "'" + text + "' is not HOST:PORT";
            return false;
        }
        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            error = "'" + text + "': write IPv6 addresses in brackets, as [::1]:9000";
            return false;
        }
        int lowest = allowPortZero ? 0 : 1;
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < lowest || port > 65535)
        {
            error = "'" + text + "': port must be a number from " + lowest + " to 65535";
            return false;
        }
        value = new HostPort(host, port);
        return true;
    }

    /// <summary>Reads where to listen: "ADDR:PORT", ":PORT" or "PORT"; a host name is resolved now, IPv4 first.</summary>
    public static bool TryParseBind(string text, out IPEndPoint endPoint, out string error)
    {
        endPoint = new IPEndPoint(IPAddress.Any, 0);
        string t = text.Trim();
        if (int.TryParse(t.StartsWith(':') ? t[1..] : t, NumberStyles.None, CultureInfo.InvariantCulture, out int onlyPort))
        {
            t = "0.0.0.0:" + onlyPort;
        }
        if (!TryParse(t, out var hostPort, out error, allowPortZero: true))
        {
            return false;
        }
        if (!hostPort.TryResolve(out var address, out error))
        {
            return false;
        }
        endPoint = new IPEndPoint(address, hostPort.Port);
        return true;
    }

    /// <summary>The host's address: a literal as it is, a name looked up, IPv4 first (labs' servers mostly listen on 127.0.0.1).</summary>
    public bool TryResolve(out IPAddress address, out string error)
    {
        error = string.Empty;
        if (IPAddress.TryParse(Host, out address!))
        {
            return true;
        }
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(Host);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            addresses = [];
        }
        address = Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork) ?? (addresses.Length > 0 ? addresses[0] : IPAddress.None);
        if (addresses.Length == 0)
        {
            error = "host '" + Host + "' does not resolve; give an IP address or a known host name";
            return false;
        }
        return true;
    }
}
