using Udpx.Modes;

namespace Udpx.Tests.Congestion;

/// <summary>process mode's budget per path: at most two transfers toward a server at once, each server its own.</summary>
public sealed class PathTurnsTests
{
    [Fact]
    public async Task A_third_transfer_to_a_server_waits_for_a_turn_while_another_server_does_not()
    {
        var turns = new PathTurns();
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
}
