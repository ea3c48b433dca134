using System.Threading.Channels;
using Udpx.Engine;

namespace Udpx.Modes;

/// <summary>
/// process-async mode: a pool of N long-lived worker processes fed jobs asynchronously; the parent holds
/// a future per job and collects each with a timeout, as Python's Pool.apply_async(...).get(timeout) does.
/// </summary>
internal sealed class ProcessPoolDispatcher(WorkerLaunch launch, int workers, TimeSpan jobTimeout) : ITransferDispatcher
{
    public ConcurrencyMode Mode => ConcurrencyMode.ProcessAsync;

    public int Workers { get; } = Math.Max(1, workers);

    public async Task RunAsync(IReadOnlyList<TransferHandle> transfers, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateUnbounded<(TransferHandle Handle, TaskCompletionSource<TransferResult> Future)>();
        var futures = new Task<TransferResult>[transfers.Count];
        for (int i = 0; i < transfers.Count; i++)
        {
            var future = new TaskCompletionSource<TransferResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            futures[i] = future.Task;
            queue.Writer.TryWrite((transfers[i], future));
        }
        queue.Writer.Complete();

        int count = Math.Min(Workers, Math.Max(1, transfers.Count));
        var pool = new WorkerProcess[count];
        var feeders = new Task[count];
        for (int w = 0; w < count; w++)
        {
            try
            {
                pool[w] = WorkerProcess.Start(launch);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                if (w == 0)
                {
                    // No worker at all: every job fails with the reason.
                    while (queue.Reader.TryRead(out var job))
                    {
                        job.Future.TrySetResult(JobFutures.Failed(job.Handle.Job, "cannot start a worker process (" + launch.FileName + "): " + ex.Message));
                    }
                }
                pool = pool[..w];
                feeders = feeders[..w];
                break;
            }
            feeders[w] = FeedAsync(pool[w], queue.Reader, cancellationToken);
        }
        using var kill = cancellationToken.Register(() =>
            Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ => Array.ForEach(pool, p => p.Kill()), TaskScheduler.Default));

        for (int i = 0; i < transfers.Count; i++)
        {
            transfers[i].Complete(await JobFutures.CollectAsync(futures[i], transfers[i].Job, jobTimeout).ConfigureAwait(false));
        }
        await Task.WhenAll(feeders).ConfigureAwait(false);
        foreach (var worker in pool)
        {
            await worker.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One job at a time per worker: the next is sent when the previous result is in.</summary>
    private static async Task FeedAsync(WorkerProcess worker, ChannelReader<(TransferHandle Handle, TaskCompletionSource<TransferResult> Future)> jobs, CancellationToken cancellationToken)
    {
        await foreach (var (handle, future) in jobs.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                future.TrySetResult(JobFutures.Failed(handle.Job, "cancelled"));
                continue;
            }
            future.TrySetResult(await worker.Submit(handle).ConfigureAwait(false));
        }
    }
}
