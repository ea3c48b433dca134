namespace Udpx.Relay;

/// <summary>
/// Holds items until their release time (a <see cref="TimeProvider"/> timestamp) and hands
/// each to the release callback in time order, on one scheduler thread. Under the system clock
/// the thread sleeps on its monitor until the earliest item is due (a timer callback would
/// first need a free thread-pool thread, and a busy pool delays it by hundreds of ms); under
/// any other clock, a timer from that TimeProvider wakes it, so a manual clock drives it in
/// tests. Bounded: scheduling into a full queue fails instead of growing.
/// </summary>
internal sealed class DelayQueue<T> : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Action<T> _release;
    private readonly int _capacity;
    private readonly PriorityQueue<T, ReleaseKey> _items;
    // A plain monitor (not Lock) so the scheduler can sleep on it with no event handle to dispose.
    private readonly object _gate = new();
    private readonly ITimer? _timer;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private long _sequence;
    private long _armedFor = long.MaxValue;
    private bool _woken;
    private volatile bool _stopping;

    /// <param name="time">Clock of the release timestamps and of the wake-up timer.</param>
    /// <param name="release">Called on the scheduler thread for each item when it is due; must not throw.</param>
    /// <param name="capacity">Most items held at once.</param>
    public DelayQueue(TimeProvider time, Action<T> release, int capacity)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(release);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _release = release;
        _capacity = capacity;
        _items = new PriorityQueue<T, ReleaseKey>(Math.Min(capacity, 1024));
        if (time != TimeProvider.System)
        {
            _timer = time.CreateTimer(static state => ((DelayQueue<T>)state!).Wake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Release time of the earliest item, or null when empty.</summary>
    public long? NextReleaseTimestamp
    {
        get
        {
            lock (_gate)
            {
                return _items.TryPeek(out _, out var key) ? key.Timestamp : null;
            }
        }
    }

    /// <summary>Queues an item for release at the timestamp; false when the queue is full.</summary>
    public bool TrySchedule(T item, long releaseTimestamp)
    {
        lock (_gate)
        {
            if (_items.Count >= _capacity)
            {
                return false;
            }

            _items.Enqueue(item, new ReleaseKey(releaseTimestamp, _sequence++));
            if (releaseTimestamp < _armedFor)
            {
                // Earlier than the scheduler is sleeping for: wake it to re-arm.
                _armedFor = releaseTimestamp;
                WakeLocked();
            }
        }

        return true;
    }

    /// <summary>
    /// Releases, on the calling thread and in order, every item due by now. The scheduler
    /// thread calls this; tests may call it directly under a manual clock.
    /// </summary>
    public int ReleaseDue()
    {
        var now = _time.GetTimestamp();
        var released = 0;
        while (TryTakeDue(now, out var item))
        {
            _release(item);
            released++;
        }

        return released;
    }

    /// <summary>Starts the scheduler thread.</summary>
    public void Start(string threadName)
    {
        if (_thread is not null)
        {
            throw new InvalidOperationException("The delay queue is already started.");
        }

        _thread = new Thread(Run, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = threadName,
            Priority = ThreadPriority.AboveNormal,
        };
        _thread.Start();
    }

    /// <summary>Stops the scheduler thread; items still queued stay queued (see <see cref="Drain"/>).</summary>
    public Task StopAsync()
    {
        _stopping = true;
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Wake();
        if (_thread is null)
        {
            _stopped.TrySetResult();
        }

        return _stopped.Task;
    }

    /// <summary>Removes every queued item, handing each to <paramref name="discard"/> (to return its buffer).</summary>
    public void Drain(Action<T> discard)
    {
        ArgumentNullException.ThrowIfNull(discard);
        while (true)
        {
            T item;
            lock (_gate)
            {
                if (!_items.TryDequeue(out item!, out _))
                {
                    return;
                }
            }

            discard(item);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _timer?.Dispose();
        Wake();
    }

    private bool TryTakeDue(long now, out T item)
    {
        lock (_gate)
        {
            if (_items.TryPeek(out item!, out var key) && key.Timestamp <= now)
            {
                _items.Dequeue();
                return true;
            }
        }

        item = default!;
        return false;
    }

    private void Wake()
    {
        lock (_gate)
        {
            WakeLocked();
        }
    }

    private void WakeLocked()
    {
        _woken = true;
        Monitor.Pulse(_gate);
    }

    private const int MaxRearms = 4;

    private void Run()
    {
        var rearms = 0;
        try
        {
            while (!_stopping)
            {
                ReleaseDue();
                var wait = Timeout.Infinite;
                long readAt = 0;
                lock (_gate)
                {
                    _armedFor = _items.TryPeek(out _, out var key) ? key.Timestamp : long.MaxValue;
                    if (_armedFor != long.MaxValue)
                    {
                        readAt = _time.GetTimestamp();
                        if (_armedFor <= readAt)
                        {
                            continue;
                        }

                        wait = WholeMillisecondsUntil(readAt, _armedFor);
                    }
                }

                if (_timer is not null)
                {
                    _timer.Change(wait == Timeout.Infinite ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(wait), Timeout.InfiniteTimeSpan);
                    // The timer counts from the clock's present, not from readAt: if the clock moved in
                    // between, it would fire that much late (a test stepping a manual clock then waits
                    // forever). Read again, and arm again from the new reading; a few times at most, so
                    // that a clock that always moves cannot keep the thread from sleeping.
                    if (wait != Timeout.Infinite && _time.GetTimestamp() != readAt && ++rearms < MaxRearms)
                    {
                        continue;
                    }
                    rearms = 0;
                }
                lock (_gate)
                {
                    // A wake-up that came after the queue was read above is kept in _woken, not lost.
                    // Under another clock, real time means nothing: only its timer or a new item wakes us.
                    if (!_woken && !_stopping)
                    {
                        Monitor.Wait(_gate, _timer is null ? wait : Timeout.Infinite);
                    }

                    _woken = false;
                }
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    // Waits count whole milliseconds; rounding down would wake early and spin until due.
    private int WholeMillisecondsUntil(long now, long due)
    {
        var wait = _time.GetElapsedTime(now, due);
        var milliseconds = (wait.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        return (int)Math.Clamp(milliseconds, 1, int.MaxValue - 1);
    }
}
