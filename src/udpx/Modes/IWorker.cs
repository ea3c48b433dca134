using Udpx.Engine;

namespace Udpx.Modes;

/// <summary>A worker process as the process dispatchers use it (<see cref="WorkerProcess"/>; a stand-in in tests).</summary>
internal interface IWorker : IAsyncDisposable
{
    /// <summary>
    /// Hands a job to the worker, its path's controller to start from <paramref name="initialWindow"/> (0: cold),
    /// its handshake from the round trip the path was last seen with, <paramref name="pathRttMicros"/> (0: none).
    /// A <paramref name="held"/> job shakes hands at once but sends no data until <see cref="Release"/>.
    /// </summary>
    SubmittedJob Submit(TransferHandle handle, int initialWindow, long pathRttMicros, bool held = false);

    /// <summary>Lets a held job send, its path's controller starting from <paramref name="initialWindow"/> (0: cold).</summary>
    void Release(int jobId, int initialWindow);

    /// <summary>No more jobs: the worker exits when its queue is done.</summary>
    void CloseInput();

    void Kill();
}

/// <summary>
/// A job in a worker's hands: the moment it has sent every chunk once, with what it measured of its path by
/// then (null when it ended first, or is not udpx's protocol), and its result.
/// </summary>
internal sealed record SubmittedJob(Task<PathSample?> SentOnce, Task<TransferResult> Result);

/// <summary>What a transfer had measured of its path when it reported: bytes acknowledged in its first <see cref="Seconds"/>, its smoothed RTT and its controller's window.</summary>
internal sealed record PathSample(long BytesAcked, double Seconds, long RttMicros, int Window);
