using System.Collections.Concurrent;

namespace Udpx.Server;

/// <summary>
/// `serve --on-file`: runs the hook once per stored file, one at a time, on a thread of its own. A receive
/// thread only queues the file (<see cref="TryQueue"/>, which never waits): when <see cref="Capacity"/> files
/// are already waiting, this one's hook is not run and that is reported, so a slow or hanging hook can delay
/// other hooks but never the transfers. The file is stored under its name before it is queued, so nothing
/// the hook does (fail, hang, be killed) can lose it. Each outcome goes to the observer and to the session.
/// </summary>
internal sealed class FileHook : IDisposable
{
    /// <summary>Stored files waiting for their hook, at most.</summary>
    public const int DefaultCapacity = 64;

    /// <summary>How long a stopping server lets the running hook finish before it is killed.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private readonly HookCommand _command;
    private readonly string _program;
    private readonly TimeSpan _timeout;
    private readonly IServerObserver _observer;
    private readonly BlockingCollection<StoredFile> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _runner;
    private long _ran;
    private long _dropped;

    /// <param name="program">The command's program, resolved (<see cref="HookCommand.Resolve"/>).</param>
    public FileHook(HookCommand command, string program, TimeSpan timeout, IServerObserver observer, int capacity = DefaultCapacity)
    {
        _command = command;
        _program = program;
        _timeout = timeout;
        _observer = observer;
        Capacity = capacity;
        _queue = new BlockingCollection<StoredFile>(new ConcurrentQueue<StoredFile>(), capacity);
        _runner = new Thread(RunAll) { IsBackground = true, Name = "udpx on-file hook" };
        _runner.Start();
    }

    public int Capacity { get; }

    /// <summary>Hooks that ran (whatever their outcome).</summary>
    public long Ran => Interlocked.Read(ref _ran);

    /// <summary>Stored files whose hook was never run (queue full, or the server stopped first).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues the hook for a stored file; never waits. False (and reported) when the queue is full.</summary>
    public bool TryQueue(StoredFile file)
    {
        bool queued;
        try
        {
            queued = _queue.TryAdd(file);
        }
        catch (InvalidOperationException)
        {
            queued = false; // stopping
        }
        if (!queued)
        {
            NotRun(file, _queue.IsAddingCompleted ? "the server stopped" : "queue full (" + Capacity + " files waiting for the hook)");
        }
        return queued;
    }

    private void RunAll()
    {
        try
        {
            foreach (var file in _queue.GetConsumingEnumerable(_stopping.Token))
            {
                var outcome = HookProcess.Run(_program, _command, file, _timeout, _stopping.Token);
                Interlocked.Increment(ref _ran);
                Report(file, outcome);
            }
        }
        catch (OperationCanceledException)
        {
        }
        while (_queue.TryTake(out var left))
        {
            NotRun(left, "the server stopped");
        }
    }

    private void NotRun(StoredFile file, string why)
    {
        Interlocked.Increment(ref _dropped);
        Report(file, new HookOutcome(HookEnd.NotRun, null, why, [], 0, 0));
    }

    private void Report(StoredFile file, HookOutcome outcome)
    {
        if (file.Session is { } session)
        {
            session.Hook = outcome;
        }
        _observer.HookFinished(file, outcome);
    }

    /// <summary>No more files; the running hook gets <see cref="StopGrace"/> to end, then it is killed; hooks still queued are not run.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        if (!_runner.Join(StopGrace))
        {
            _stopping.Cancel();
            _runner.Join(TimeSpan.FromSeconds(10));
        }
        _stopping.Dispose();
        _queue.Dispose();
    }
}
