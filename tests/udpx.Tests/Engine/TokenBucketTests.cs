using Udpx.Engine;

namespace Udpx.Tests.Engine;

public sealed class TokenBucketTests
{
    [Fact]
    public void A_new_bucket_is_full_and_spends_down_to_empty()
    {
        var bucket = new TokenBucket();
        bucket.Set(bytesPerMicro: 1, depth: 3000);
        Assert.True(bucket.TryConsume(1500, 0));
        Assert.True(bucket.TryConsume(1500, 0));
        Assert.False(bucket.TryConsume(1, 0));
    }

    [Fact]
    public void It_refills_at_its_rate_and_never_above_its_depth()
    {
        var bucket = new TokenBucket();
        bucket.Set(bytesPerMicro: 2, depth: 3000);
        Assert.True(bucket.TryConsume(3000, 0));
        Assert.Equal(750, bucket.ReadyAt(1500, 0));
        Assert.False(bucket.TryConsume(1500, 749));
        Assert.True(bucket.TryConsume(1500, 750));
        // A long idle time fills it only to its depth.
        Assert.True(bucket.TryConsume(3000, 1_000_000));
        Assert.False(bucket.TryConsume(1, 1_000_000));
    }

    [Fact]
    public void Asking_for_more_than_it_holds_waits_for_a_full_bucket_not_forever()
    {
        var bucket = new TokenBucket();
        bucket.Set(bytesPerMicro: 1, depth: 1000);
        Assert.True(bucket.TryConsume(1000, 0));
        Assert.Equal(1000, bucket.ReadyAt(64_000, 0));
    }

    [Fact]
    public void A_clock_read_earlier_on_another_thread_is_not_a_refill()
    {
        var bucket = new TokenBucket();
        bucket.Set(bytesPerMicro: 1, depth: 1000);
        Assert.True(bucket.TryConsume(1000, 500));
        Assert.False(bucket.TryConsume(1, 400));
        Assert.True(bucket.TryConsume(100, 600));
    }

    [Fact]
    public void No_rate_lets_everything_through()
    {
        var bucket = new TokenBucket();
        bucket.Set(bytesPerMicro: 0, depth: 100);
        Assert.True(bucket.TryConsume(1 << 20, 0));
        Assert.Equal(7, bucket.ReadyAt(1 << 20, 7));
    }

    [Fact]
    public void A_new_rate_keeps_what_was_held_up_to_the_new_depth()
    {
        var bucket = new TokenBucket();
        bucket.Set(bytesPerMicro: 1, depth: 4000);
        Assert.True(bucket.TryConsume(1000, 0));
        bucket.Set(bytesPerMicro: 1, depth: 2000);
        Assert.True(bucket.TryConsume(2000, 0));
        Assert.False(bucket.TryConsume(1, 0));
    }
}
