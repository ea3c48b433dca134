using System.Diagnostics;
using System.Globalization;

namespace Udpx.Bench.Peers;

/// <summary>curl uploading (TFTP write) to tftpd-hpa with the largest block size, 65464 bytes.</summary>
internal sealed class CurlTftpPeer : PeerTool
{
    public override string Name => "curl -T -> tftpd-hpa";

    public override string Settings => "--tftp-blksize 65464";

    public override IReadOnlyList<string> Programs => ["curl", "in.tftpd"];

    public override async Task<PeerTransfer> TransferAsync(PeerContext context, CancellationToken cancellationToken)
    {
        int port = FreePort.Udp();
        // -L: foreground; -c: allow creating files; -s: serve the folder as root (needs root for chroot).
        var serverArguments = new List<string> { "-L", "-a", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "-c", "-u", Environment.UserName };
        string remote = context.Name;
        if (PeerContext.IsRoot)
        {
            serverArguments.AddRange(["-s", context.ReceiveDirectory]);
        }
        else
        {
            remote = context.ReceivedPath.TrimStart('/');
        }
        await using var server = PeerProcess.Start(context.Programs["in.tftpd"], serverArguments, context.ReceiveDirectory, context.Unreaped);
        await PortProbe.WaitBoundAsync(server, udp: true, cancellationToken, port).ConfigureAwait(false);

        long started = Stopwatch.GetTimestamp();
        await using var client = PeerProcess.Start(
            context.Programs["curl"],
            ["-sS", "-T", context.SourcePath, "--tftp-blksize", "65464", "tftp://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/" + remote],
            context.SourceDirectory, context.Unreaped);
        await client.WaitSuccessAsync(Timeout, cancellationToken).ConfigureAwait(false);
        // tftpd-hpa forks a process per transfer, which lingers for seconds: its CPU time is read
        // before it is stopped (PeerProcess, UnreapedCpu).
        return new PeerTransfer(Stopwatch.GetElapsedTime(started).TotalSeconds, context.ReceivedPath, context.Size);
    }
}
