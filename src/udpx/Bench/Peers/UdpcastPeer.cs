using System.Diagnostics;
using System.Globalization;

namespace Udpx.Bench.Peers;

/// <summary>
/// udpcast point to point over lo. The sender re-announces itself every 10 ms instead of the default
/// 2 s, which would otherwise be idle time before every transfer. The clock stops when the sender has
/// its receiver's final acknowledgement and exits; the receiver's 500 ms exit wait (a guard against a
/// lost final ACK) is not counted, but the file is checked only after the receiver has exited.
/// </summary>
internal sealed class UdpcastPeer : PeerTool
{
    public override string Name => "udpcast";

    /// <summary>udpcast's blocks are 1456 bytes at most: Ethernet-sized datagrams.</summary>
    public override int? ComparableDatagramSize => Udpx.Protocol.Wire.EthernetDatagramSize;

    public override string Settings => "--pointopoint --interface lo --min-receivers 1 --rexmit-hello-interval 10";

    public override IReadOnlyList<string> Programs => ["udp-sender", "udp-receiver"];

    public override async Task<PeerTransfer> TransferAsync(PeerContext context, CancellationToken cancellationToken)
    {
        int portBase = FreePort.UdpRange(2);
        string portText = portBase.ToString(CultureInfo.InvariantCulture);
        await using var receiver = PeerProcess.Start(
            context.Programs["udp-receiver"],
            ["--file", context.ReceivedPath, "--portbase", portText, "--interface", "lo", "--nokbd"],
            context.ReceiveDirectory, context.Unreaped);
        await PortProbe.WaitBoundAsync(receiver, udp: true, cancellationToken, portBase, portBase + 1).ConfigureAwait(false);

        long started = Stopwatch.GetTimestamp();
        await using var sender = PeerProcess.Start(
            context.Programs["udp-sender"],
            ["--file", context.SourcePath, "--portbase", portText, "--interface", "lo", "--pointopoint", "--min-receivers", "1", "--nokbd", "--no-progress", "--rexmit-hello-interval", "10"],
            context.SourceDirectory, context.Unreaped);
        await sender.WaitSuccessAsync(Timeout, cancellationToken).ConfigureAwait(false);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await receiver.WaitSuccessAsync(Timeout, cancellationToken).ConfigureAwait(false);
        return new PeerTransfer(seconds, context.ReceivedPath, context.Size);
    }
}
