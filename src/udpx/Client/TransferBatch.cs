using System.Diagnostics;
using Udpx.Engine;
using Udpx.Modes;

namespace Udpx.Client;

/// <summary>
/// The client pipeline every verb calls (send, demo, bench): files assigned to servers (file i to server
/// i mod n, each to every server, or each group, a folder argument, to one server), a live handle per transfer, dispatched under one mode; the handles are
/// live at once and <see cref="Completion"/> ends with every transfer's result.
/// </summary>
internal sealed class TransferBatch
{
    private TransferBatch(ConcurrencyMode mode, int workers, IReadOnlyList<TransferHandle> transfers, Task<BatchOutcome> completion)
    {
        Mode = mode;
        Workers = workers;
        Transfers = transfers;
        Completion = completion;
    }

    public ConcurrencyMode Mode { get; }

    /// <summary>Worker processes or transfers in flight; 0 when each transfer gets its own.</summary>
    public int Workers { get; }

    public IReadOnlyList<TransferHandle> Transfers { get; }

    public Task<BatchOutcome> Completion { get; }

    /// <summary>
    /// Starts the batch. A future that outlives <paramref name="futureTimeout"/> (a wedged worker process) is given
    /// up; the engine itself ends each transfer at its job timeout. Throws <see cref="InvalidOperationException"/>
    /// when the mode cannot start (no udpx program to run worker processes from).
    /// </summary>
    public static TransferBatch Start(
        IReadOnlyList<SourceFile> sources, IReadOnlyList<string> servers, TransferSettings settings, ConcurrencyMode mode, int workers,
        TimeSpan futureTimeout, CancellationToken cancellationToken, bool each = false, bool keepGroupsTogether = false)
    {
        var jobs = SendPlan.Assign(sources, servers, each, settings, keepGroupsTogether);
        var handles = new List<TransferHandle>(jobs.Count);
        foreach (var job in jobs)
        {
            handles.Add(new TransferHandle(job) { FileSize = new FileInfo(job.Path).Length });
        }
        var dispatcher = DispatcherFactory.Create(mode, workers, futureTimeout);
        return new TransferBatch(mode, dispatcher.Workers, handles, RunAsync(dispatcher, handles, cancellationToken));
    }

    private static async Task<BatchOutcome> RunAsync(ITransferDispatcher dispatcher, List<TransferHandle> handles, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        await dispatcher.RunAsync(handles, cancellationToken).ConfigureAwait(false);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var results = new List<TransferResult>(handles.Count);
        foreach (var handle in handles)
        {
            results.Add(handle.Result ?? JobFutures.Failed(handle.Job, "no result"));
        }
        return new BatchOutcome(results, seconds);
    }
}
