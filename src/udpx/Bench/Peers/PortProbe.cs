using System.Globalization;

namespace Udpx.Bench.Peers;

/// <summary>
/// Whether something listens on a local port, read from /proc/net/{tcp,udp}{,6} so that probing never
/// connects (a one-shot server such as socat would take the probe for its client).
/// </summary>
internal static class PortProbe
{
    private const string TcpListen = "0A";

    public static bool IsBound(int port, bool udp)
    {
        string[] tables = udp ? ["/proc/net/udp", "/proc/net/udp6"] : ["/proc/net/tcp", "/proc/net/tcp6"];
        foreach (string table in tables)
        {
            IEnumerable<string> lines;
            try
            {
                lines = File.ReadLines(table).Skip(1).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (string line in lines)
            {
                // "  sl  local_address rem_address   st ...": local_address is HEXADDR:HEXPORT.
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4)
                {
                    continue;
                }
                int colon = fields[1].LastIndexOf(':');
                if (colon < 0 || !int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int bound) || bound != port)
                {
                    continue;
                }
                if (udp || fields[3] == TcpListen)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Waits until one of <paramref name="ports"/> is bound; fails if the server exits first or takes over 5 s.</summary>
    public static async Task WaitBoundAsync(PeerProcess server, bool udp, CancellationToken cancellationToken, params int[] ports)
    {
        long deadline = Environment.TickCount64 + 5_000;
        while (!ports.Any(p => IsBound(p, udp)))
        {
            if (server.HasExited)
            {
                throw new PeerFailure(server.Name + " exited at start: " + server.LastLine());
            }
            if (Environment.TickCount64 > deadline)
            {
                throw new PeerFailure(server.Name + " did not listen on port " + ports[0] + " within 5 s");
            }
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }
}
