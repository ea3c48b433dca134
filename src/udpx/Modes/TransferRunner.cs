using Udpx.Engine;
using Udpx.Net;
using Udpx.Tftp;

namespace Udpx.Modes;

/// <summary>
/// Runs one job with the engine it asks for: udpx's own (the blocking or async driver) or, for a job
/// with <see cref="TransferSettings.Tftp"/>, the TFTP client. Every dispatcher and the worker process
/// call this, so the four modes run TFTP jobs exactly as they run udpx ones.
/// </summary>
internal static class TransferRunner
{
    public static TransferResult Run(TransferJob job, TransferCounters counters, DatagramRing? ring, CancellationToken cancellationToken, TimeProvider? time = null) =>
        job.Settings.Tftp is null
            ? BlockingTransferDriver.Run(job, counters, ring, cancellationToken, time)
            : TftpClient.Run(job, counters, cancellationToken, time);

    public static Task<TransferResult> RunAsync(TransferJob job, TransferCounters counters, DatagramRing? ring, CancellationToken cancellationToken, TimeProvider? time = null) =>
        job.Settings.Tftp is null
            ? AsyncTransferDriver.RunAsync(job, counters, ring, cancellationToken, time)
            : TftpClient.RunAsync(job, counters, cancellationToken, time);
}
