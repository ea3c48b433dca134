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
                // The temporary file before the request: a folder that refuses it is known before the server is asked.
                string part = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(job.Path))!, ".udpx-get-" + Guid.NewGuid().ToString("N")[..12] + ".udpx-part");
                try
                {
                    file = new FileStream(part, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    counters.SetPhase(TransferPhase.Failed);
                    return Failed(job, started, CannotStore(ex)) with { LocalWriteFailed = true };
                }
                temp = part;
                var answer = TftpClientRequest.Send(socket, server, TftpOpcode.ReadRequest, job.Name, settings, null, job.Settings.ConnectTimeout, cancellationToken);
                ReadOnlySpan<byte> ack0 = answer.OptionsAcknowledged ? [0, (byte)TftpOpcode.Ack, 0, 0] : [];
                Exception? writeFailure = null;
                var receiver = new TftpBlockReceiver(file, answer.Options, MaxRetries, long.MaxValue, ack0, clock.NowMicros, linger: false, writeFailed: ex =>
                {
                    writeFailure = ex;
                    // The server hears why in the same plain words; no local path goes to it.
                    return new TftpRefusal(ex.HResult is 28 or 122 ? TftpError.DiskFull : TftpError.NotDefined, CannotStore(ex));
                });
                if (!answer.OptionsAcknowledged)
                {
                    receiver.OnPacket(answer.FirstPacket, clock.NowMicros);
                }
                transfer = receiver;
                counters.SetPhase(TransferPhase.Sending);
                await loop(socket, answer.Peer, transfer, clock, cancellationToken).ConfigureAwait(false);
                // On a full disk the close throws too (its last flush has nowhere to go) and closes the descriptor
                // all the same: once only, and the first failure is the one to tell.
                var written = file;
                file = null;
                try
                {
                    written.Dispose();
                }
                catch (IOException ex)
                {
                    writeFailure ??= ex;
                }
                if (writeFailure is null && transfer.State == TftpTransferState.Completed)
                {
                    if (!settings.Overwrite && Path.Exists(job.Path))
                    {
                        return Failed(job, started, AlreadyExists(job.Path) + " (it appeared during the transfer)");
                    }
                    try
                    {
                        // Without --overwrite the check above and a move that never replaces; with it, rename(2) over the old file.
                        File.Move(part, job.Path, overwrite: settings.Overwrite);
                        temp = null;
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        writeFailure = ex;
                    }
                }
                if (writeFailure is not null)
                {
                    counters.SetPhase(TransferPhase.Failed);
                    return Failed(job, started, CannotStore(writeFailure)) with
                    {
                        Bytes = transfer.Bytes,
                        DatagramsSent = transfer.Counters.PacketsSent,
                        Retransmitted = transfer.Counters.Retransmitted,
                        LocalWriteFailed = true,
                    };
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
            try
            {
                file?.Dispose();
            }
            catch (IOException)
            {
                // A read cut short on a full disk: the close's flush fails, the descriptor is closed, the file goes below.
            }
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

    private static string CannotStore(Exception error) => "cannot store the file: " + LocalWriteError.Reason(error);

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
