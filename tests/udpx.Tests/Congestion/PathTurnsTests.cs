using Udpx.Modes;

namespace Udpx.Tests.Congestion;

/// <summary>The per-path budget of transfers sending at once, as thread mode takes it from its threads.</summary>
public sealed class PathTurnsTests
{
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
