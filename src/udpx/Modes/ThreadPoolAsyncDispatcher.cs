using Udpx.Engine;

namespace Udpx.Modes;

/// <summary>
/// thread-async mode: asynchronous socket I/O on the thread pool, at most N transfers in flight, a
/// future per job collected with a timeout, as ThreadPoolExecutor.submit(...).result(timeout) does.
/// </summary>
internal sealed class ThreadPoolAsyncDispatcher(int workers, TimeSpan jobTimeout, TimeProvider? time = null) : ITransferDispatcher
{
    public ConcurrencyMode Mode => ConcurrencyMode.ThreadAsync;

    public int Workers { get; } = Math.Max(1, workers);

    public async Task RunAsync(IReadOnlyList<TransferHandle> transfers, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(Workers, Workers);
        var futures = new Task<TransferResult>[transfers.Count];
        for (int i = 0; i < transfers.Count; i++)
        {
            futures[i] = Submit(transfers[i], slots, cancellationToken);
        }
        for (int i = 0; i < transfers.Count; i++)
        {
            transfers[i].Complete(await JobFutures.CollectAsync(futures[i], transfers[i].Job, jobTimeout).ConfigureAwait(false));
        }
    }

    private async Task<TransferResult> Submit(TransferHandle handle, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await TransferRunner.RunAsync(handle.Job, handle.Counters, handle.Stream, cancellationToken, time).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }
}
