using System.Threading.Channels;
using Udpx.Engine;

namespace Udpx.Modes;

/// <summary>
/// process-async mode: a pool of N long-lived worker processes fed jobs asynchronously; the parent holds
/// a future per job and collects each with a timeout, as Python's Pool.apply_async(...).get(timeout) does.
/// <para>
/// Every worker is its own congestion controller, kept from job to job; two toward one server read each
/// other's queue as a competitor's. So, as in process mode, the jobs toward one server take turns
/// (<see cref="PathTurns"/>; workers still run side by side toward different servers), a turn passes when the
/// job holding it has sent everything once (the next one has shaken hands meanwhile), and a worker whose
/// controller is new starts from the pipe the last job on the path measured (<see cref="PathMemory"/>).
/// </para>
/// </summary>
internal sealed class ProcessPoolDispatcher(Func<IWorker> startWorker, string program, int workers, TimeSpan jobTimeout, TimeProvider? time = null) : ITransferDispatcher
{
    public ProcessPoolDispatcher(WorkerLaunch launch, int workers, TimeSpan jobTimeout)
        : this(() => WorkerProcess.Start(launch), launch.FileName, workers, jobTimeout)
    {
    }

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
        var pool = new IWorker[count];
        var turns = new PathTurns();
        var memory = new PathMemory(time);
        var feeders = new Task[count];
        for (int w = 0; w < count; w++)
        {
            try
            {
                pool[w] = startWorker();
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                if (w == 0)
                {
                    // No worker at all: every job fails with the reason.
                    while (queue.Reader.TryRead(out var job))
                    {
                        job.Future.TrySetResult(JobFutures.Failed(job.Handle.Job, "cannot start a worker process (" + program + "): " + ex.Message));
                    }
                }
                pool = pool[..w];
                feeders = feeders[..w];
                break;
            }
            feeders[w] = FeedAsync(pool[w], queue.Reader, turns, memory, cancellationToken);
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

    /// <summary>
    /// One job at a time per worker, the next sent when the previous result is in, and one per server sending at a
    /// time. A worker whose job must wait for the path gets it held: it shakes hands meanwhile, and is let go when
    /// the job before it on the path has sent everything once, as in process mode.
    /// </summary>
    private static async Task FeedAsync(IWorker worker, ChannelReader<(TransferHandle Handle, TaskCompletionSource<TransferResult> Future)> jobs, PathTurns turns, PathMemory memory, CancellationToken cancellationToken)
    {
        await foreach (var (handle, future) in jobs.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                future.TrySetResult(JobFutures.Failed(handle.Job, "cancelled"));
                continue;
            }
            var taking = turns.TakeAsync(handle.Job.Server, cancellationToken);
            bool held = handle.Job.Settings.Tftp is null && !taking.IsCompleted;
            var submitted = held ? worker.Submit(handle, 0, memory.RttFor(handle.Job), held: true) : null;
            PathTurns.Turn turn;
            try
            {
                turn = await taking.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A held job reads the end of its input as "never": it gives up and says so.
                worker.CloseInput();
                future.TrySetResult(submitted is null ? JobFutures.Failed(handle.Job, "cancelled") : await submitted.Result.ConfigureAwait(false));
                continue;
            }
            if (submitted is null)
            {
                submitted = worker.Submit(handle, memory.InitialWindowFor(handle.Job), memory.RttFor(handle.Job));
            }
            else
            {
                worker.Release(handle.Job.Id, memory.InitialWindowFor(handle.Job));
            }
            var handOver = GiveBackAsync(turn, handle.Job, submitted, memory);
            var result = await submitted.Result.ConfigureAwait(false);
            memory.Record(handle.Job, result);
            await handOver.ConfigureAwait(false);
            future.TrySetResult(result);
        }
    }

    /// <summary>Gives the path to the next job once this one has sent everything once (noting what it measured), or has ended.</summary>
    private static async Task GiveBackAsync(PathTurns.Turn turn, TransferJob job, SubmittedJob submitted, PathMemory memory)
    {
        using (turn)
        {
            if (await submitted.SentOnce.ConfigureAwait(false) is { } sample)
            {
                memory.Note(job, sample);
                return;
            }
            memory.Record(job, await submitted.Result.ConfigureAwait(false));
        }
    }
}
