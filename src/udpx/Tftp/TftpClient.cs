using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Udpx.Common;
using Udpx.Engine;
using Udpx.Net;

namespace Udpx.Tftp;

/// <summary>
/// `send --tftp` (WRQ) and `get --tftp` (RRQ): one job against any TFTP server, with the same state
/// machines as the server (<see cref="TftpBlockSender"/>, <see cref="TftpBlockReceiver"/>). A read is
/// written to a temporary file beside its destination and gets the name only when complete, never over
/// an existing file unless the job says overwrite. The four modes call <see cref="Run"/> (thread, process, process-async) or
/// <see cref="RunAsync"/> (thread-async).
/// </summary>
internal static class TftpClient
{
    private const int MaxRetries = 10;

    public static TransferResult Run(TransferJob job, TransferCounters counters, CancellationToken cancellationToken, TimeProvider? time = null) =>
        Execute(job, counters, time, static (socket, peer, transfer, clock, ct) =>
        {
            TftpTransferLoop.Run(socket, peer, transfer, clock, ct);
            return Task.CompletedTask;
        }, cancellationToken).GetAwaiter().GetResult();

    public static Task<TransferResult> RunAsync(TransferJob job, TransferCounters counters, CancellationToken cancellationToken, TimeProvider? time = null) =>
        Execute(job, counters, time, TftpTransferLoop.RunAsync, cancellationToken);

    private delegate Task Loop(Socket socket, IPEndPoint peer, ITftpTransfer transfer, MonotonicClock clock, CancellationToken cancellationToken);

    private static async Task<TransferResult> Execute(TransferJob job, TransferCounters counters, TimeProvider? time, Loop loop, CancellationToken cancellationToken)
    {
        var settings = job.Settings.Tftp ?? throw new ArgumentException("not a TFTP job");
        long started = Stopwatch.GetTimestamp();
        var clock = new MonotonicClock(time ?? TimeProvider.System);
        string? temp = null;
        Stream? file = null;
        ITftpTransfer? transfer = null;
        try
        {
            var server = ServerAddress.Resolve(job.Server);
            using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            SocketBuffers.Apply(socket, TftpTransferOptions.SocketBufferBytes);
            counters.SetPhase(TransferPhase.Offering);
            if (settings.Read)
            {
                if (!settings.Overwrite && Path.Exists(job.Path))
                {
                    return Failed(job, started, AlreadyExists(job.Path));
                }
                var answer = TftpClientRequest.Send(socket, server, TftpOpcode.ReadRequest, job.Name, settings, null, job.Settings.ConnectTimeout, cancellationToken);
                temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(job.Path))!, ".udpx-get-" + Guid.NewGuid().ToString("N")[..12] + ".udpx-part");
                file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                ReadOnlySpan<byte> ack0 = answer.OptionsAcknowledged ? [0, (byte)TftpOpcode.Ack, 0, 0] : [];
                var receiver = new TftpBlockReceiver(file, answer.Options, MaxRetries, long.MaxValue, ack0, clock.NowMicros, linger: false);
                if (!answer.OptionsAcknowledged)
                {
                    receiver.OnPacket(answer.FirstPacket, clock.NowMicros);
                }
                transfer = receiver;
                counters.SetPhase(TransferPhase.Sending);
                await loop(socket, answer.Peer, transfer, clock, cancellationToken).ConfigureAwait(false);
                file.Dispose();
                if (transfer.State == TftpTransferState.Completed)
                {
                    if (!settings.Overwrite && Path.Exists(job.Path))
                    {
                        return Failed(job, started, AlreadyExists(job.Path) + " (it appeared during the transfer)");
                    }
                    // Without --overwrite the check above and a move that never replaces; with it, rename(2) over the old file.
                    File.Move(temp, job.Path, overwrite: settings.Overwrite);
                    temp = null;
                }
            }
            else
            {
                file = new FileStream(RegularFile.OpenRead(job.Path), FileAccess.Read, 1 << 16);
                var answer = TftpClientRequest.Send(socket, server, TftpOpcode.WriteRequest, job.Name, settings, file.Length, job.Settings.ConnectTimeout, cancellationToken);
                transfer = new TftpBlockSender(file, answer.Options, MaxRetries);
                counters.SetPhase(TransferPhase.Sending);
                await loop(socket, answer.Peer, transfer, clock, cancellationToken).ConfigureAwait(false);
            }
            bool ok = transfer.State == TftpTransferState.Completed;
            counters.SetPhase(ok ? TransferPhase.Done : TransferPhase.Failed);
            return new TransferResult
            {
                JobId = job.Id,
                Name = job.Name,
                Server = job.Server,
                Bytes = transfer.Bytes,
                Verified = ok,
                Error = ok ? string.Empty : transfer.Failure,
                Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
                DatagramsSent = transfer.Counters.PacketsSent,
                Retransmitted = transfer.Counters.Retransmitted,
                RttMicros = transfer.Counters.RttMicros,
                ProcessId = Environment.ProcessId,
            };
        }
        catch (Exception ex) when (ex is TftpClientException or ArgumentException or IOException or UnauthorizedAccessException or SocketException or OperationCanceledException)
        {
            counters.SetPhase(TransferPhase.Failed);
            return Failed(job, started, ex is OperationCanceledException ? "cancelled" : ex.Message);
        }
        finally
        {
            file?.Dispose();
            if (temp is not null)
            {
                try
                {
                    File.Delete(temp);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>The one line for a destination that is already there (get --tftp without --overwrite).</summary>
    public static string AlreadyExists(string path) => "'" + path + "' already exists; not replaced (get --overwrite replaces it)";

    private static TransferResult Failed(TransferJob job, long started, string error) => new()
    {
        JobId = job.Id,
        Name = job.Name,
        Server = job.Server,
        Error = error,
        Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
        ProcessId = Environment.ProcessId,
    };
}
