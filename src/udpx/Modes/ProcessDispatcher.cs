namespace Udpx.Modes;

/// <summary>
/// process mode: one child OS process per transfer (this binary re-executed with the hidden worker verb).
/// Results and live progress come back over each child's standard output.
/// <para>
/// Each child is its own congestion controller, so the transfers toward one server run one at a time, in
/// order (<see cref="PathTurns.PerPath"/>), different servers side by side. Each child starts warm from the
/// flight the one before it measured (<see cref="PathMemory"/>), and the next child (one, not the whole batch)
/// is started while the one before it sends: ready, file open, when its turn comes, without the start-up of
/// every other child of the batch on the cores the first transfer needs.
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

    /// <summary>One server's transfers in order, each child started while the one before it sends.</summary>
    private async Task RunPathAsync(List<TransferHandle> path, PathMemory memory, List<IWorker> children, CancellationToken cancellationToken)
    {
        var next = StartAsync(children);
        for (int i = 0; i < path.Count; i++)
        {
            var handle = path[i];
            var (child, failure) = await next.ConfigureAwait(false);
            next = i + 1 < path.Count && !cancellationToken.IsCancellationRequested ? StartAsync(children) : Task.FromResult<(IWorker?, string?)>((null, "cancelled"));
            if (child is null || cancellationToken.IsCancellationRequested)
            {
                child?.CloseInput();
                handle.Complete(JobFutures.Failed(handle.Job, cancellationToken.IsCancellationRequested ? "cancelled" : failure!));
                continue;
            }
            var future = child.Submit(handle, memory.InitialWindowFor(handle.Job));
            child.CloseInput();
            var result = await JobFutures.CollectAsync(future, handle.Job, jobTimeout).ConfigureAwait(false);
            memory.Record(handle.Job, result);
            handle.Complete(result);
        }
        (await next.ConfigureAwait(false)).Child?.CloseInput();
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
