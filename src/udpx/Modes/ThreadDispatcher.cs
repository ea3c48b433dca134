namespace Udpx.Modes;

/// <summary>thread mode: a dedicated OS thread per transfer with blocking socket calls; all started, then all joined.</summary>
internal sealed class ThreadDispatcher(TimeProvider? time = null) : ITransferDispatcher
{
    public ConcurrencyMode Mode => ConcurrencyMode.Thread;

    public int Workers => 0;

    public Task RunAsync(IReadOnlyList<TransferHandle> transfers, CancellationToken cancellationToken)
    {
        var threads = new Thread[transfers.Count];
        for (int i = 0; i < transfers.Count; i++)
        {
            var handle = transfers[i];
            threads[i] = new Thread(() => handle.Complete(TransferRunner.Run(handle.Job, handle.Counters, handle.Stream, cancellationToken, time)))
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
}
