using System.Diagnostics;

namespace Udpx.Bench.Peers;

/// <summary>socat over TCP with 1 MiB buffers: what the kernel's own reliable transport does on loopback.</summary>
internal sealed class SocatPeer : PeerTool
{
    private const string Buffer = "1048576";

    public override string Name => "socat TCP";

    public override string Settings => "-b 1048576, sndbuf/rcvbuf 1048576";

    public override IReadOnlyList<string> Programs => ["socat"];

    public override async Task<PeerTransfer> TransferAsync(PeerContext context, CancellationToken cancellationToken)
    {
        string socat = context.Programs["socat"];
        int port = FreePort.Tcp();
        await using var server = PeerProcess.Start(
            socat,
            ["-u", "-b", Buffer, $"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,rcvbuf={Buffer}", $"OPEN:{context.ReceivedPath},creat,trunc"],
            context.ReceiveDirectory, context.Unreaped);
        await PortProbe.WaitBoundAsync(server, udp: false, cancellationToken, port).ConfigureAwait(false);

        long started = Stopwatch.GetTimestamp();
        await using var client = PeerProcess.Start(socat, ["-u", "-b", Buffer, $"OPEN:{context.SourcePath}", $"TCP:127.0.0.1:{port},sndbuf={Buffer}"], context.SourceDirectory, context.Unreaped);
        await client.WaitSuccessAsync(Timeout, cancellationToken).ConfigureAwait(false);
        // The listener writes the last bytes and exits after the client's end of stream.
        await server.WaitSuccessAsync(Timeout, cancellationToken).ConfigureAwait(false);
        return new PeerTransfer(Stopwatch.GetElapsedTime(started).TotalSeconds, context.ReceivedPath, context.Size);
    }
}
