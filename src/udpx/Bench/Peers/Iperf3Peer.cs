using System.Globalization;
using System.Text.Json;

namespace Udpx.Bench.Peers;

/// <summary>
/// iperf3 in UDP at no rate limit with udpx's datagram size: no file, no reliability, so a ceiling for
/// what loopback carries. Its row reports the bytes that arrived and iperf3's own duration of the data phase.
/// </summary>
internal sealed class Iperf3Peer(int datagramSize) : PeerTool
{
    public override string Name => "iperf3 UDP -l " + datagramSize.ToString(CultureInfo.InvariantCulture);

    public override int? ComparableDatagramSize => datagramSize;

    public override string Settings => "-u -b 0 -l " + datagramSize.ToString(CultureInfo.InvariantCulture) + " -n SIZE (ceiling; no file, losses not repaired)";

    public override IReadOnlyList<string> Programs => ["iperf3"];

    public override async Task<PeerTransfer> TransferAsync(PeerContext context, CancellationToken cancellationToken)
    {
        string iperf = context.Programs["iperf3"];
        int port = FreePort.Tcp();
        string portText = port.ToString(CultureInfo.InvariantCulture);
        await using var server = PeerProcess.Start(iperf, ["-s", "-1", "-B", "127.0.0.1", "-p", portText], context.ReceiveDirectory, context.Unreaped);
        await PortProbe.WaitBoundAsync(server, udp: false, cancellationToken, port).ConfigureAwait(false);

        await using var client = PeerProcess.Start(
            iperf,
            ["-u", "-c", "127.0.0.1", "-p", portText, "-b", "0", "-l", datagramSize.ToString(CultureInfo.InvariantCulture), "-n", context.Size.ToString(CultureInfo.InvariantCulture), "-J"],
            context.SourceDirectory, context.Unreaped);
        await client.WaitSuccessAsync(Timeout, cancellationToken).ConfigureAwait(false);
        await server.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        return Parse(client.StandardOutput);
    }

    /// <summary>Reads end.sum_received (bytes, seconds) and the loss from iperf3's JSON.</summary>
    internal static PeerTransfer Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var end = document.RootElement.GetProperty("end");
            var received = end.GetProperty("sum_received");
            long bytes = received.GetProperty("bytes").GetInt64();
            double seconds = received.GetProperty("seconds").GetDouble();
            double sentPerSecond = end.GetProperty("sum_sent").GetProperty("bits_per_second").GetDouble() / 8;
            double lost = received.TryGetProperty("lost_percent", out var l) ? l.GetDouble() : 0;
            string note = string.Create(CultureInfo.InvariantCulture, $"sent {sentPerSecond / 1e6:F0} MB/s, {lost:F1}% lost");
            return new PeerTransfer(seconds, null, bytes, note);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new PeerFailure("iperf3 gave no result: " + ex.Message);
        }
    }
}
