using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Udpx.Relay;

/// <summary>Reading the relay's flags as the user typed them.</summary>
internal sealed partial record RelayOptions
{
    /// <summary>
    /// Builds the options from raw flag values (null for a flag not given). Host names are
    /// resolved here, so a name that does not resolve is reported like any other bad value.
    /// </summary>
    /// <exception cref="RelayOptionsException">A value is missing, malformed or out of range; the message is one line.</exception>
    public static RelayOptions Parse(
        string? listen,
        string? to,
        string? loss = null,
        string? duplicate = null,
        string? reorder = null,
        string? corrupt = null,
        string? delay = null,
        string? rate = null,
        string? seed = null,
        string? stats = null,
        string? idleTimeout = null)
    {
        var (clientToServer, serverToClient) = ImpairmentOptions.ParseDirections(loss, duplicate, reorder, corrupt, delay, rate);
        return new RelayOptions
        {
            Listen = ParseEndpoint("--listen", listen, allowAnyPort: true),
            Server = ParseEndpoint("--to", to, allowAnyPort: false),
            ClientToServer = clientToServer,
            ServerToClient = serverToClient,
            Seed = string.IsNullOrWhiteSpace(seed) ? null : ParseSeed(seed),
            StatsInterval = string.IsNullOrWhiteSpace(stats) ? TimeSpan.Zero : ParseSeconds("--stats", stats),
            IdleTimeout = string.IsNullOrWhiteSpace(idleTimeout) ? TimeSpan.FromMinutes(2) : ParseSeconds("--idle-timeout", idleTimeout),
        };
    }

    /// <summary>
    /// Reads ADDR:PORT: "127.0.0.1:9000", "[::1]:9000", "localhost:9000". For --listen a bare
    /// PORT or ":PORT" means every IPv4 interface.
    /// </summary>
    public static IPEndPoint ParseEndpoint(string flag, string? text, bool allowAnyPort)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new RelayOptionsException($"udpx relay: {flag} is required, as ADDR:PORT such as 127.0.0.1:9000");
        }

        var trimmed = text.Trim();
        string host;
        string portText;
        if (trimmed.StartsWith('['))
        {
            var close = trimmed.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= trimmed.Length || trimmed[close + 1] != ':')
            {
                throw BadEndpoint(flag, text);
            }

            host = trimmed[1..close];
            portText = trimmed[(close + 2)..];
        }
        else
        {
            var colon = trimmed.LastIndexOf(':');
            if (colon < 0 && allowAnyPort)
            {
                host = string.Empty;
                portText = trimmed;
            }
            else if (colon < 0)
            {
                throw BadEndpoint(flag, text);
            }
            else if (trimmed.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                throw new RelayOptionsException($"udpx relay: {flag} needs IPv6 addresses in brackets, like [::1]:9000, got '{text}'");
            }
            else
            {
                host = trimmed[..colon];
                portText = trimmed[(colon + 1)..];
            }
        }

        var lowest = allowAnyPort ? 0 : 1;
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port < lowest || port > 65535)
        {
            throw new RelayOptionsException($"udpx relay: {flag} needs a port from {lowest} to 65535, got '{text}'");
        }

        if (host.Length == 0)
        {
            if (!allowAnyPort)
            {
                throw BadEndpoint(flag, text);
            }

            return new IPEndPoint(IPAddress.Any, port);
        }

        return new IPEndPoint(Resolve(flag, host), port);
    }

    /// <summary>Reads the seed: any 32-bit integer.</summary>
    public static int ParseSeed(string text) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new RelayOptionsException($"udpx relay: --seed expects a whole number from -2147483648 to 2147483647, got '{text}'");

    /// <summary>Reads a whole or fractional number of seconds, optionally ending in "s".</summary>
    public static TimeSpan ParseSeconds(string flag, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.EndsWith('s'))
        {
            trimmed = trimmed[..^1];
        }

        if (!double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds <= 0
            || seconds > TimeSpan.FromDays(1).TotalSeconds)
        {
            throw new RelayOptionsException($"udpx relay: {flag} expects a number of seconds above 0, such as 5, got '{text}'");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private static IPAddress Resolve(string flag, string host)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return literal;
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (SocketException)
        {
            addresses = [];
        }
        catch (ArgumentException)
        {
            addresses = [];
        }

        if (addresses.Length == 0)
        {
            throw new RelayOptionsException($"udpx relay: {flag} host '{host}' does not resolve; give an IP address or a known host name");
        }

        // Prefer IPv4: "localhost" often lists ::1 first, while most labs' servers listen on 127.0.0.1.
        foreach (var address in addresses)
        {
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                return address;
            }
        }

        return addresses[0];
    }

    private static RelayOptionsException BadEndpoint(string flag, string text) =>
        new($"udpx relay: {flag} expects ADDR:PORT such as 127.0.0.1:9000 or [::1]:9000, got '{text}'");
}
