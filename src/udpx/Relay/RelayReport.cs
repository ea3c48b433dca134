using System.Globalization;

namespace Udpx.Relay;

/// <summary>Writes the relay's counters for a person to read: one line per direction.</summary>
internal static class RelayReport
{
    public static void Write(TextWriter output, string heading, RelayStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"udpx relay: {heading}: {statistics.Clients} clients, {statistics.Queued} queued, {statistics.RejectedDatagrams} rejected (client limit)"));
        output.WriteLine(Line("client->server", statistics.ClientToServer));
        output.WriteLine(Line("server->client", statistics.ServerToClient));
    }

    public static string Line(string direction, DirectionStatistics counters) => string.Create(
        CultureInfo.InvariantCulture,
        $"  {direction}: received {counters.Received}, forwarded {counters.Forwarded} ({counters.ForwardedBytes} B), dropped {counters.Dropped}, duplicated {counters.Duplicated}, reordered {counters.Reordered}, corrupted {counters.Corrupted}, delayed {counters.Delayed}, overflowed {counters.Overflowed}, failed {counters.Failed}");
}
