namespace Udpx.Tests.Relay;

/// <summary>
/// A clock that moves only when told. Timestamps are in TimeSpan ticks; timers fire on the
/// thread that calls <see cref="Advance"/>, in due order, outside the provider's lock.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly DateTimeOffset _epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Volatile.Read(ref _now);

    public override DateTimeOffset GetUtcNow() => _epoch.AddTicks(GetTimestamp());

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing each timer as the clock passes its due time.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        var target = GetTimestamp() + by.Ticks;
        while (true)
        {
            ManualTimer? next = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueAt <= target && (next is null || timer.DueAt < next.DueAt))
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    Volatile.Write(ref _now, target);
                    return;
                }

                Volatile.Write(ref _now, Math.Max(_now, next.DueAt));
                next.Rearm();
            }

            next.Fire();
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long DueAt { get; private set; } = long.MaxValue;

        private long Period { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : owner._now + dueTime.Ticks;
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? 0 : period.Ticks;
            }

            return true;
        }

        /// <summary>Called under the owner's lock just before firing.</summary>
        public void Rearm() => DueAt = Period > 0 ? DueAt + Period : long.MaxValue;

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                DueAt = long.MaxValue;
            }

            owner.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
