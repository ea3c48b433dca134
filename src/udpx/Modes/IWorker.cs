using Udpx.Engine;

namespace Udpx.Modes;

/// <summary>A worker process as the process dispatchers use it (<see cref="WorkerProcess"/>; a stand-in in tests).</summary>
internal interface IWorker : IAsyncDisposable
{
    /// <summary>Hands a job to the worker, its path's controller to start from <paramref name="initialWindow"/> (0: cold).</summary>
    Task<TransferResult> Submit(TransferHandle handle, int initialWindow);

    /// <summary>No more jobs: the worker exits when its queue is done.</summary>
    void CloseInput();

    void Kill();
}
