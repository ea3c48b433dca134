using System.Diagnostics;

namespace Udpx.Bench.Peers;

/// <summary>atftp putting the file to atftpd with 32 KiB blocks and a window of 4 (RFC 2348, RFC 7440).</summary>
internal sealed class AtftpPeer : PeerTool
{
    public override string Name => "atftp -> atftpd";

    public override string Settings => "blksize 32768, windowsize 4";

    public override IReadOnlyList<string> Programs => ["atftp", "atftpd"];

    public override async Task<PeerTransfer> TransferAsync(PeerContext context, CancellationToken cancellationToken)
    {
        int port = FreePort.Udp();
        var serverArguments = new List<string> { "--daemon", "--no-fork", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind-address", "127.0.0.1", "--logfile", "/dev/null" };
        if (PeerContext.IsRoot)
        {
            serverArguments.AddRange(["--user", "root", "--group", "root"]);
        }
        serverArguments.Add(context.ReceiveDirectory);
        await using var server = PeerProcess.Start(context.Programs["atftpd"], serverArguments, context.ReceiveDirectory, context.Unreaped);
        await PortProbe.WaitBoundAsync(server, udp: true, cancellationToken, port).ConfigureAwait(false);

        long started = Stopwatch.GetTimestamp();
        await using var client = PeerProcess.Start(
            context.Programs["atftp"],
            ["--option", "blksize 32768", "--option", "windowsize 4", "-p", "-l", context.SourcePath, "-r", context.Name, "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            context.SourceDirectory, context.Unreaped);
        await client.WaitSuccessAsync(Timeout, cancellationToken).ConfigureAwait(false);
        // The server writes a block before acknowledging it: the last acknowledgement means the file is complete.
        return new PeerTransfer(Stopwatch.GetElapsedTime(started).TotalSeconds, context.ReceivedPath, context.Size);
    }
}
