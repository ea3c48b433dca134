using Udpx.Engine;

namespace Udpx.Modes;

/// <summary>
/// thread mode: a dedicated OS thread per transfer with blocking socket calls; all started, then all joined.
/// The transfers to one server share one controller (<see cref="SharedPaths"/>), and at most
/// <see cref="SendingPerPath"/> of them send at a time, or <see cref="SmallPerTurn"/> times as many files
/// under <see cref="SmallFileBytes"/>; the others wait for a turn.
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

    /// <summary>
    /// Files this small share a turn, <see cref="SmallPerTurn"/> to one. The limit above is for files that fill
    /// the window: a 32 kB file is 23 datagrams, its time is its round trips (the handshake, a lost control
    /// message's wait, the last chunks' acknowledgement), and two at a time left the path idle between them.
    /// 200 files of 32 kB at 10% loss both ways took 0.55-0.60 s two at a time, 0.34-0.35 four, 0.24-0.29 eight
    /// and 0.26-0.28 all at once with a third more sent again; without loss 0.21-0.26 s two at a time, 0.16-0.17
    /// eight (docs/performance.md, "Small files share a turn").
    /// </summary>
    public const long SmallFileBytes = 1 << 20;

    /// <summary>Small files per turn.</summary>
    public const int SmallPerTurn = 4;

    public ConcurrencyMode Mode => ConcurrencyMode.Thread;

    public int Workers => 0;

    public Task RunAsync(IReadOnlyList<TransferHandle> transfers, CancellationToken cancellationToken)
    {
        var threads = new Thread[transfers.Count];
        var turns = new PathTurns(SendingPerPath * SmallPerTurn);
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
            turn = turns.Take(handle.Job.Server, Units(handle.Job.Path), cancellationToken);
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

    /// <summary>A turn's units for the file at <paramref name="path"/>: one for a small file, a whole turn otherwise or when it cannot be read (the transfer reports why).</summary>
    internal static int Units(string path)
    {
        try
        {
            return new FileInfo(path).Length < SmallFileBytes ? 1 : SmallPerTurn;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return SmallPerTurn;
        }
    }
}
