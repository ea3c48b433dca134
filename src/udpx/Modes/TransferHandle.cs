using Udpx.Engine;
using Udpx.Net;

namespace Udpx.Modes;

/// <summary>
/// A transfer as the rest of the program sees it while it runs: the job, live counters, the recent
/// datagram stream, and in the end its result. The same whatever mode runs it; in the process modes
/// the counters and stream are filled from the worker's reports.
/// </summary>
internal sealed class TransferHandle(TransferJob job)
{
    private TransferResult? _result;

    public TransferJob Job { get; } = job;

    public TransferCounters Counters { get; } = new();

    public DatagramRing Stream { get; } = new();

    public long FileSize { get; set; }

    public TransferResult? Result => Volatile.Read(ref _result);

    public void Complete(TransferResult result) => Volatile.Write(ref _result, result);
}
