namespace Udpx.Modes;

/// <summary>
/// process mode: one child OS process per transfer (this binary re-executed with the hidden worker verb),
/// all started, then all awaited. Results and live progress come back over each child's standard output.
/// </summary>
internal sealed class ProcessDispatcher(WorkerLaunch launch, TimeSpan jobTimeout) : ITransferDispatcher
{
    public ConcurrencyMode Mode => ConcurrencyMode.Process;

    public int Workers => 0;

    public async Task RunAsync(IReadOnlyList<TransferHandle> transfers, CancellationToken cancellationToken)
    {
        var children = new WorkerProcess[transfers.Count];
        var futures = new Task<Engine.TransferResult>[transfers.Count];
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
            futures[i] = children[i].Submit(transfers[i]);
            children[i].CloseInput();
        }
        using var kill = cancellationToken.Register(() =>
        {
            // Give the children a moment to abort their sessions themselves (they share our Ctrl-C), then make sure.
            Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ => Array.ForEach(children, c => c.Kill()), TaskScheduler.Default);
        });
        for (int i = 0; i < transfers.Count; i++)
        {
            transfers[i].Complete(await JobFutures.CollectAsync(futures[i], transfers[i].Job, jobTimeout).ConfigureAwait(false));
        }
        foreach (var child in children)
        {
            await child.DisposeAsync().ConfigureAwait(false);
        }
    }
}
