using System.Collections.Concurrent;
using Udpx.Relay;

namespace Udpx.Tests.Relay;

public class DelayQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Releases_in_time_order_only_when_due()
    {
        var clock = new ManualTimeProvider();
        var released = new List<string>();
        using var queue = new DelayQueue<string>(clock, released.Add, capacity: 16);

        Assert.True(queue.TrySchedule("c", At(30)));
        Assert.True(queue.TrySchedule("a", At(10)));
        Assert.True(queue.TrySchedule("b", At(20)));

        Assert.Equal(0, queue.ReleaseDue());
        clock.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(0, queue.ReleaseDue());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.ReleaseDue());
        Assert.Equal(["a"], released);
        clock.Advance(TimeSpan.FromMilliseconds(25));
        Assert.Equal(2, queue.ReleaseDue());
        Assert.Equal(["a", "b", "c"], released);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Items_due_at_the_same_time_leave_in_the_order_scheduled()
    {
        var clock = new ManualTimeProvider();
        var released = new List<int>();
        using var queue = new DelayQueue<int>(clock, released.Add, capacity: 1000);
        for (var i = 0; i < 100; i++)
        {
            queue.TrySchedule(i, At(5));
        }

        clock.Advance(TimeSpan.FromMilliseconds(5));
        queue.ReleaseDue();
        Assert.Equal(Enumerable.Range(0, 100), released);
    }

    [Fact]
    public void Full_queue_refuses_more()
    {
        var clock = new ManualTimeProvider();
        using var queue = new DelayQueue<int>(clock, static _ => { }, capacity: 2);
        Assert.True(queue.TrySchedule(1, At(1)));
        Assert.True(queue.TrySchedule(2, At(1)));
        Assert.False(queue.TrySchedule(3, At(1)));
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public async Task Scheduler_thread_releases_as_the_manual_clock_passes_each_time()
    {
        var clock = new ManualTimeProvider();
        var released = new ConcurrentQueue<int>();
        using var queue = new DelayQueue<int>(clock, released.Enqueue, capacity: 64);
        queue.Start("test scheduler");

        // Scheduled out of order, some before and some after the thread first goes to sleep.
        queue.TrySchedule(3, At(30));
        queue.TrySchedule(1, At(10));
        await WaitUntil(() => queue.NextReleaseTimestamp == At(10));
        queue.TrySchedule(2, At(20));
        queue.TrySchedule(0, At(5));

        for (var step = 0; step < 40 && released.Count < 4; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            var expected = ExpectedBy(clock);
            await WaitUntil(() => released.Count >= expected);
            Assert.Equal(expected, released.Count);
        }

        Assert.Equal([0, 1, 2, 3], released);
        await queue.StopAsync().WaitAsync(Patience);

        static int ExpectedBy(ManualTimeProvider clock)
        {
            var ms = clock.GetElapsedTime(0).TotalMilliseconds;
            return (ms >= 5 ? 1 : 0) + (ms >= 10 ? 1 : 0) + (ms >= 20 ? 1 : 0) + (ms >= 30 ? 1 : 0);
        }
    }

    [Fact]
    public async Task An_earlier_item_wakes_a_scheduler_sleeping_for_a_later_one()
    {
        var clock = new ManualTimeProvider();
        var released = new ConcurrentQueue<string>();
        using var queue = new DelayQueue<string>(clock, released.Enqueue, capacity: 64);
        queue.Start("test scheduler");
        queue.TrySchedule("late", At(1000));
        await Task.Delay(50); // let it go to sleep for the late item (correct either way)
        queue.TrySchedule("early", At(10));

        clock.Advance(TimeSpan.FromMilliseconds(10));
        await WaitUntil(() => !released.IsEmpty);
        Assert.Equal(["early"], released);

        clock.Advance(TimeSpan.FromMilliseconds(990));
        await WaitUntil(() => released.Count == 2);
        Assert.Equal(["early", "late"], released);
        await queue.StopAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task Stop_leaves_items_for_drain()
    {
        var clock = new ManualTimeProvider();
        var released = new ConcurrentQueue<int>();
        using var queue = new DelayQueue<int>(clock, released.Enqueue, capacity: 64);
        queue.Start("test scheduler");
        queue.TrySchedule(1, At(100));
        queue.TrySchedule(2, At(200));
        await queue.StopAsync().WaitAsync(Patience);

        var discarded = new List<int>();
        queue.Drain(discarded.Add);
        Assert.Empty(released);
        Assert.Equal([1, 2], discarded);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Works_with_the_system_clock()
    {
        var released = new ConcurrentQueue<int>();
        using var queue = new DelayQueue<int>(TimeProvider.System, released.Enqueue, capacity: 64);
        queue.Start("test scheduler");
        var now = TimeProvider.System.GetTimestamp();
        var ms = TimeProvider.System.TimestampFrequency / 1000;
        queue.TrySchedule(2, now + (20 * ms));
        queue.TrySchedule(1, now + (10 * ms));
        queue.TrySchedule(0, now);
        await WaitUntil(() => released.Count == 3);
        Assert.Equal([0, 1, 2], released);
        await queue.StopAsync().WaitAsync(Patience);
    }

    // The manual clock starts at 0 and counts TimeSpan ticks.
    private static long At(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds).Ticks;

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the scheduler");
            await Task.Delay(1);
        }
    }
}
