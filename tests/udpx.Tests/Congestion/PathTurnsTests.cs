using Udpx.Modes;

namespace Udpx.Tests.Congestion;

/// <summary>The process modes' budget per path: one transfer toward a server at a time (or as many as asked, as thread mode asks from its threads), each server its own.</summary>
public sealed class PathTurnsTests
{
    [Fact]
    public async Task One_transfer_per_server_at_a_time_by_default_and_another_server_is_not_held_up()
    {
        var turns = new PathTurns();
        var first = await turns.TakeAsync("a:1", CancellationToken.None);
        var second = turns.TakeAsync("a:1", CancellationToken.None);
        var elsewhere = turns.TakeAsync("b:1", CancellationToken.None);

        Assert.False(second.IsCompleted);
        Assert.True(elsewhere.IsCompletedSuccessfully);
        first.Dispose();
        (await second).Dispose();
        (await elsewhere).Dispose();
    }

    [Fact]
    public async Task A_third_transfer_waits_when_two_may_run_and_a_turn_is_given_back_once()
    {
        var turns = new PathTurns(perPath: 2);
        var first = await turns.TakeAsync("a:1", CancellationToken.None);
        var second = await turns.TakeAsync("a:1", CancellationToken.None);
        var third = turns.TakeAsync("a:1", CancellationToken.None);
        var elsewhere = turns.TakeAsync("b:1", CancellationToken.None);

        Assert.False(third.IsCompleted);
        Assert.True(elsewhere.IsCompletedSuccessfully);

        second.Dispose();
        second.Dispose(); // a turn is given back once
        (await third).Dispose();
        var fourth = turns.TakeAsync("a:1", CancellationToken.None);
        Assert.True(fourth.IsCompletedSuccessfully);
        Assert.False(turns.TakeAsync("a:1", CancellationToken.None).IsCompleted);
        first.Dispose();
        (await elsewhere).Dispose();
    }

    [Fact]
    public async Task Waiting_for_a_turn_ends_when_the_batch_is_cancelled()
    {
        var turns = new PathTurns(perPath: 1);
        using var held = await turns.TakeAsync("a:1", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = turns.TakeAsync("a:1", cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task A_thread_waits_for_a_turn_once_the_path_has_its_count_and_other_paths_do_not_wait()
    {
        var turns = new PathTurns(perPath: 2);
        var one = turns.Take("a:1", CancellationToken.None);
        var two = turns.Take("a:1", CancellationToken.None);
        using var other = turns.Take("b:1", CancellationToken.None);

        using var waiting = new ManualResetEventSlim();
        var third = Task.Factory.StartNew(
            () =>
            {
                waiting.Set();
                return turns.Take("a:1", CancellationToken.None);
            },
            TaskCreationOptions.LongRunning);
        waiting.Wait();
        await Task.Delay(100);
        Assert.False(third.IsCompleted);
        one.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(20))).Dispose();
        two.Dispose();
        one.Dispose(); // giving a turn back twice gives it back once

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var a = turns.Take("a:1", CancellationToken.None);
        var b = turns.Take("a:1", CancellationToken.None);
        Assert.Throws<OperationCanceledException>(() => turns.Take("a:1", cancelled.Token));
        a.Dispose();
        b.Dispose();
    }
}
