namespace Udpx.Modes;

/// <summary>
/// process mode: one child OS process per transfer (this binary re-executed with the hidden worker verb),
/// all started, then all awaited. Results and live progress come back over each child's standard output.
/// Each child is its own congestion controller, so the children toward one server take turns
/// (<see cref="PathTurns"/>): the rest are started and wait for their job.
/// </summary>
internal sealed class ProcessDispatcher(WorkerLaunch launch, TimeSpan jobTimeout) : ITransferDispatcher
{
    public ConcurrencyMode Mode => ConcurrencyMode.Process;

    public int Workers => 0;

    public async Task RunAsync(IReadOnlyList<TransferHandle> transfers, CancellationToken cancellationToken)
    {
        var children = new WorkerProcess[transfers.Count];
        var futures = new Task<Engine.TransferResult>[transfers.Count];
        var turns = new PathTurns();
        for (int i = 0; i < transfers.Count; i++)
        {
            try
            {
                children[i] = WorkerProcess.Start(launch);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                // No process, no transfer: say why for every job still to start.
                for (int j = i; j < transfers.Count; j++)
                {
                    futures[j] = Task.FromResult(JobFutures.Failed(transfers[j].Job, "cannot start a worker process (" + launch.FileName + "): " + ex.Message));
                }
                children = children[..i];
                break;
            }
            futures[i] = RunInTurnAsync(children[i], transfers[i], turns, jobTimeout, cancellationToken);
        }
        using var kill = cancellationToken.Register(() =>
        {
            // Give the children a moment to abort their sessions themselves (they share our Ctrl-C), then make sure.
            Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ => Array.ForEach(children, c => c.Kill()), TaskScheduler.Default);
        });
        for (int i = 0; i < transfers.Count; i++)
        {
            transfers[i].Complete(await futures[i].ConfigureAwait(false));
        }
        foreach (var child in children)
        {
            await child.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Hands the child its job once the path has room for one more transfer; the turn ends with the result (or its timeout).</summary>
    private static async Task<Engine.TransferResult> RunInTurnAsync(WorkerProcess child, TransferHandle handle, PathTurns turns, TimeSpan jobTimeout, CancellationToken cancellationToken)
    {
        PathTurns.Turn turn;
        try
        {
            turn = await turns.TakeAsync(handle.Job.Server, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            child.CloseInput();
            return JobFutures.Failed(handle.Job, "cancelled");
        }
        using (turn)
        {
            var future = child.Submit(handle);
            child.CloseInput();
            return await JobFutures.CollectAsync(future, handle.Job, jobTimeout).ConfigureAwait(false);
        }
    }
}
