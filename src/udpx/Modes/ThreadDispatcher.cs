using Udpx.Engine;

namespace Udpx.Modes;

/// <summary>
/// thread mode: a dedicated OS thread per transfer with blocking socket calls; all started, then all joined.
/// The transfers to one server share one controller (<see cref="SharedPaths"/>), and at most
/// <see cref="SendingPerPath"/> of them send at a time; the others wait for a turn.
/// </summary>
internal sealed class ThreadDispatcher(TimeProvider? time = null) : ITransferDispatcher
{
    /// <summary>
    /// The core count. 32 threads sharing one window each got a sliver of it: one datagram per wake-up instead
    /// of a GSO batch, all waking at the pacer's same instant, and the server acknowledging 32 sessions on its
    /// timer. On 2 cores 32 × 8 MiB took 1.38-1.49 s so, 0.76-0.93 s two at a time, no retransmission and 40%
    /// less CPU (docs/performance.md, "Many transfers at once"). The window they share is the same either way.
    /// </summary>
    public static readonly int SendingPerPath = Environment.ProcessorCount;

    public ConcurrencyMode Mode => ConcurrencyMode.Thread;

    public int Workers => 0;

    public Task RunAsync(IReadOnlyList<TransferHandle> transfers, CancellationToken cancellationToken)
    {
        var threads = new Thread[transfers.Count];
        var turns = new PathTurns(SendingPerPath);
        for (int i = 0; i < transfers.Count; i++)
        {
            var handle = transfers[i];
            threads[i] = new Thread(() => handle.Complete(Run(handle, turns, cancellationToken)))
            {
                IsBackground = true,
                Name = "udpx-transfer " + handle.Job.Id,
            };
        }
        foreach (var thread in threads)
        {
            thread.Start();
        }
        return Task.Factory.StartNew(
            () =>
            {
                foreach (var thread in threads)
                {
                    thread.Join();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private TransferResult Run(TransferHandle handle, PathTurns turns, CancellationToken cancellationToken)
    {
        PathTurns.Turn turn;
        try
        {
            turn = turns.Take(handle.Job.Server, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return JobFutures.Failed(handle.Job, "cancelled");
        }
        using (turn)
        {
            return TransferRunner.Run(handle.Job, handle.Counters, handle.Stream, cancellationToken, time);
        }
    }
}
