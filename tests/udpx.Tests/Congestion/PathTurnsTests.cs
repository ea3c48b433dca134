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

    /// <summary>
    /// Thread mode's turns in units: a file under 1 MiB takes one, a larger one a whole turn of four. Eight units:
    /// one large file and four small ones run together, the fifth small one waits, and a second large one waits
    /// for four units to come back, not for one.
    /// </summary>
    [Fact]
    public async Task Small_files_share_a_turn_and_a_large_one_waits_for_a_whole_turn()
    {
        var turns = new PathTurns(perPath: 8);
        var large = turns.Take("a:1", 4, CancellationToken.None);
        var small = Enumerable.Range(0, 4).Select(_ => turns.Take("a:1", 1, CancellationToken.None)).ToList();

        var fifth = Task.Factory.StartNew(() => turns.Take("a:1", 1, CancellationToken.None), TaskCreationOptions.LongRunning);
        await Task.Delay(100);
        Assert.False(fifth.IsCompleted);
        small[0].Dispose();
        var fifthTurn = await fifth.WaitAsync(TimeSpan.FromSeconds(20));

        var secondLarge = Task.Factory.StartNew(() => turns.Take("a:1", 4, CancellationToken.None), TaskCreationOptions.LongRunning);
        small[1].Dispose();
        small[2].Dispose();
        await Task.Delay(100);
        Assert.False(secondLarge.IsCompleted);
        large.Dispose();
        (await secondLarge.WaitAsync(TimeSpan.FromSeconds(20))).Dispose();
        small[3].Dispose();
        fifthTurn.Dispose();

        // Everything given back: a whole path's worth is free again, and no more.
        var all = turns.Take("a:1", 8, CancellationToken.None);
        var more = Task.Factory.StartNew(() => turns.Take("a:1", 1, CancellationToken.None), TaskCreationOptions.LongRunning);
        await Task.Delay(100);
        Assert.False(more.IsCompleted);
        all.Dispose();
        (await more.WaitAsync(TimeSpan.FromSeconds(20))).Dispose();
    }

    /// <summary>A taker cancelled while it gathers its units gives back those it had, and no one else is left waiting on them.</summary>
    [Fact]
    public async Task A_large_file_cancelled_while_it_gathers_its_units_gives_them_back()
    {
        var turns = new PathTurns(perPath: 4);
        var held = turns.Take("a:1", 2, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var large = Task.Factory.StartNew(() => turns.Take("a:1", 4, cancel.Token), TaskCreationOptions.LongRunning);
        await Task.Delay(100);
        Assert.False(large.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => large.WaitAsync(TimeSpan.FromSeconds(20)));

        held.Dispose();
        using var all = turns.Take("a:1", 4, CancellationToken.None);
    }

    [Fact]
    public void Thread_mode_weighs_a_file_by_its_size_and_an_unreadable_one_as_large()
    {
        string dir = Directory.CreateTempSubdirectory("udpx-turns-").FullName;
        try
        {
            string small = Path.Combine(dir, "small");
            string large = Path.Combine(dir, "large");
            File.WriteAllBytes(small, new byte[32 * 1024]);
            using (var f = File.Create(large))
            {
                f.SetLength(ThreadDispatcher.SmallFileBytes);
            }

            Assert.Equal(1, ThreadDispatcher.Units(small));
            Assert.Equal(ThreadDispatcher.SmallPerTurn, ThreadDispatcher.Units(large));
            Assert.Equal(ThreadDispatcher.SmallPerTurn, ThreadDispatcher.Units(Path.Combine(dir, "missing")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
