using System.Collections.Concurrent;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>
/// File work off the receive thread (a file made before its Accept, stored before its Done) and its way back:
/// the end of each task is queued, the receive thread is woken, and <see cref="PollBackground"/> answers for it.
/// </summary>
internal sealed partial class ServerProtocol
{
    // Sessions whose background work (preparation, commit) ended, queued by the task's continuation.
    private readonly ConcurrentQueue<ReceiverSession> _completed = new();

    // Tasks not yet ended plus ends not yet handled: while above 0 the receive thread polls for them between waits.
    private int _backgroundPending;

    /// <summary>
    /// A file is being made or stored off the receive thread, or has been and waits for <see cref="PollBackground"/>
    /// to send its Accept or Done.
    /// </summary>
    public bool AwaitsBackground => Volatile.Read(ref _backgroundPending) > 0;

    /// <summary>
    /// Called on the thread that made or stored a file, once its completion is queued for <see cref="PollBackground"/>:
    /// the receive thread's wait ends then, so that the Accept or Done goes out at once, not at the next poll.
    /// </summary>
    public Action? BackgroundCompleted { get; set; }

    /// <summary>
    /// Files made or stored off the receive thread since the last poll: their Accept or Done (or refusal) goes
    /// out. <see cref="Poll"/> begins with it; the receive thread also calls it between its waits while <see cref="AwaitsBackground"/>,
    /// and <see cref="BackgroundCompleted"/> ends a wait.
    /// </summary>
    public void PollBackground(long now, IDatagramSink sink)
    {
        while (_completed.TryDequeue(out var done))
        {
            _pollVisits++;
            Interlocked.Decrement(ref _backgroundPending);
            OnBackgroundDone(done, now, sink);
        }
    }

    /// <summary>Poll sees the end of a task at its next tick; one that has already ended is handled now.</summary>
    private void WatchBackground(ReceiverSession session, Task<RejectReason> task, long now, IDatagramSink sink)
    {
        session.Background = task;
        if (task.IsCompleted)
        {
            OnBackgroundDone(session, now, sink);
        }
        else
        {
            Interlocked.Increment(ref _backgroundPending);
            task.ContinueWith(_ =>
            {
                _completed.Enqueue(session);
                BackgroundCompleted?.Invoke();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void OnBackgroundDone(ReceiverSession session, long now, IDatagramSink sink)
    {
        if (session.Background is not { IsCompleted: true } task)
        {
            return; // ended meanwhile (an Abort), or already handled
        }
        var result = task.IsCompletedSuccessfully ? task.Result : RejectReason.IoError;
        session.Background = null;
        switch (session.State)
        {
            case SessionState.Preparing:
                OnPrepared(session, result, now, sink);
                break;
            case SessionState.Verifying:
                EndSession(session, result, RejectReasonText.Describe(result), now, sink);
                break;
        }
    }
}
