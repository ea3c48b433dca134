using Udpx.Engine;

namespace Udpx.Modes;

/// <summary>
/// process mode: one child OS process per transfer (this binary re-executed with the hidden worker verb).
/// Results and live progress come back over each child's standard output.
/// <para>
/// Each child is its own congestion controller, so the transfers toward one server send one at a time, in
/// order (<see cref="PathTurns.PerPath"/>), different servers side by side. Each child starts warm from the
/// flight the one before it measured (<see cref="PathMemory"/>). The next child (one, not the whole batch) is
/// started while the one before it sends, shakes hands and waits; it is let go when the one before it has sent
/// everything once, not when that one has exited, so the hand-over costs a line on each pipe. Without the
/// start-up of every other child of the batch on the cores the first transfer needs.
/// </para>
/// </summary>
internal sealed class ProcessDispatcher(Func<IWorker> startWorker, string program, TimeSpan jobTimeout, TimeProvider? time = null) : ITransferDispatcher
{
    public ProcessDispatcher(WorkerLaunch launch, TimeSpan jobTimeout)
        : this(() => WorkerProcess.Start(launch), launch.FileName, jobTimeout)
    {
    }

    public ConcurrencyMode Mode => ConcurrencyMode.Process;

    public int Workers => 0;

    public async Task RunAsync(IReadOnlyList<TransferHandle> transfers, CancellationToken cancellationToken)
    {
        var memory = new PathMemory(time);
        var children = new List<IWorker>();
        using var kill = cancellationToken.Register(() =>
        {
            // Give the children a moment to abort their sessions themselves (they share our Ctrl-C), then make sure.
            Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(
                _ =>
                {
                    lock (children)
                    {
                        children.ForEach(c => c.Kill());
                    }
                },
                TaskScheduler.Default);
        });
        var paths = transfers.GroupBy(t => t.Job.Server, StringComparer.Ordinal)
            .Select(path => RunPathAsync(path.ToList(), memory, children, cancellationToken))
            .ToList();
        await Task.WhenAll(paths).ConfigureAwait(false);
        foreach (var child in children)
        {
            await child.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One server's transfers in order. Each child is started while the one before it sends, then handed its job
    /// held: it opens the file and shakes hands at once, and sends its data when the child before it has sent
    /// everything once, starting from what that one had measured (<see cref="PathMemory.Note"/>). The two share
    /// the path only for the finishing child's tail: its last flight, retransmissions and the verification.
    /// </summary>
    private async Task RunPathAsync(List<TransferHandle> path, PathMemory memory, List<IWorker> children, CancellationToken cancellationToken)
    {
        var collecting = new List<Task>(path.Count);
        Task handOver = Task.CompletedTask;
        var next = StartAsync(children);
        for (int i = 0; i < path.Count; i++)
        {
            var handle = path[i];
            var (child, failure) = await next.ConfigureAwait(false);
            if (child is null || cancellationToken.IsCancellationRequested)
            {
                child?.CloseInput();
                handle.Complete(JobFutures.Failed(handle.Job, cancellationToken.IsCancellationRequested ? "cancelled" : failure!));
                next = StartNext(i, path.Count, children, cancellationToken);
                continue;
            }
            SubmittedJob submitted;
            if (handle.Job.Settings.Tftp is null && !handOver.IsCompleted)
            {
                submitted = child.Submit(handle, 0, memory.RttFor(handle.Job), held: true);
                await handOver.ConfigureAwait(false);
                child.Release(handle.Job.Id, memory.InitialWindowFor(handle.Job));
            }
            else
            {
                await handOver.ConfigureAwait(false);
                submitted = child.Submit(handle, memory.InitialWindowFor(handle.Job), memory.RttFor(handle.Job));
            }
            child.CloseInput();
            next = StartNext(i, path.Count, children, cancellationToken);
            var collected = CollectAsync(handle, submitted.Result, memory);
            collecting.Add(collected);
            handOver = HandOverAsync(handle.Job, submitted.SentOnce, collected, memory);
        }
        (await next.ConfigureAwait(false)).Child?.CloseInput();
        await Task.WhenAll(collecting).ConfigureAwait(false);
    }

    /// <summary>The child for the job after job <paramref name="i"/>, started now, while job i sends.</summary>
    private Task<(IWorker? Child, string? Failure)> StartNext(int i, int count, List<IWorker> children, CancellationToken cancellationToken) =>
        i + 1 < count && !cancellationToken.IsCancellationRequested ? StartAsync(children) : Task.FromResult<(IWorker?, string?)>((null, "cancelled"));

    private async Task CollectAsync(TransferHandle handle, Task<TransferResult> future, PathMemory memory)
    {
        var result = await JobFutures.CollectAsync(future, handle.Job, jobTimeout).ConfigureAwait(false);
        memory.Record(handle.Job, result);
        handle.Complete(result);
    }

    /// <summary>Completes when the path may go to the next job: this one has sent everything once, or has ended.</summary>
    private static async Task HandOverAsync(TransferJob job, Task<PathSample?> sentOnce, Task collected, PathMemory memory)
    {
        if (await Task.WhenAny(sentOnce, collected).ConfigureAwait(false) == sentOnce && sentOnce.Result is { } sample)
        {
            memory.Note(job, sample);
            return;
        }
        // It ended (or never said): its result is in or imminent, and the memory should have it first.
        await collected.ConfigureAwait(false);
    }

    /// <summary>Starts a child off this thread (Process.Start blocks for the fork and exec), or says why it could not.</summary>
    private Task<(IWorker? Child, string? Failure)> StartAsync(List<IWorker> children) => Task.Run<(IWorker?, string?)>(() =>
    {
        try
        {
            var child = startWorker();
            lock (children)
            {
                children.Add(child);
            }
            return (child, null);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return (null, "cannot start a worker process (" + program + "): " + ex.Message);
        }
    });
}
