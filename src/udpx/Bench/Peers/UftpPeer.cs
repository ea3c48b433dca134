using System.Diagnostics;
using System.Globalization;

namespace Udpx.Bench.Peers;

/// <summary>
/// UFTP in unicast to one uftpd, unthrottled (-R -1), with a short group round-trip time for loopback
/// (-r 0.001:0.001:1) and the lowest robustness (-s 10); once with jumbo-sized blocks and once with
/// blocks that fit Ethernet. uftpd gets the 8 MiB receive buffer udpx's server asks for: with its
/// default 256 KiB an unthrottled sender overruns it and the session is often dropped ("Lost connection").
/// </summary>
internal sealed class UftpPeer(int blockSize) : PeerTool
{
    public override string Name => "uftp -b " + blockSize.ToString(CultureInfo.InvariantCulture);

    /// <summary>A block of 1300 bytes keeps uftp's datagrams within an Ethernet frame.</summary>
    public override int? ComparableDatagramSize => blockSize + 100 <= Udpx.Protocol.Wire.EthernetDatagramSize ? Udpx.Protocol.Wire.EthernetDatagramSize : null;

    public override string Settings => "unicast, -R -1 -b " + blockSize.ToString(CultureInfo.InvariantCulture) + " -r 0.001:0.001:1 -s 10; uftpd -B 8388608";

    public override IReadOnlyList<string> Programs => ["uftp", "uftpd"];

    public override async Task<PeerTransfer> TransferAsync(PeerContext context, CancellationToken cancellationToken)
    {
        int port = FreePort.Udp();
        string portText = port.ToString(CultureInfo.InvariantCulture);
        // -d: foreground, log to standard error; -q: no reverse DNS lookup of the sender.
        await using var server = PeerProcess.Start(context.Programs["uftpd"], ["-d", "-q", "-x", "1", "-B", "8388608", "-D", context.ReceiveDirectory, "-p", portText], context.ReceiveDirectory, context.Unreaped);
        await PortProbe.WaitBoundAsync(server, udp: true, cancellationToken, port).ConfigureAwait(false);

        long started = Stopwatch.GetTimestamp();
        // The file name goes as given: relative, so uftpd stores it in its destination folder.
        await using var client = PeerProcess.Start(
            context.Programs["uftp"],
            ["-M", "127.0.0.1", "-p", portText, "-R", "-1", "-b", blockSize.ToString(CultureInfo.InvariantCulture), "-r", "0.001:0.001:1", "-s", "10", "-x", "1", context.Name],
            context.SourceDirectory, context.Unreaped);
        await client.WaitSuccessAsync(Timeout, cancellationToken).ConfigureAwait(false);
        // uftp ends when the receiver reported the file COMPLETE.
        return new PeerTransfer(Stopwatch.GetElapsedTime(started).TotalSeconds, context.ReceivedPath, context.Size);
    }
}
