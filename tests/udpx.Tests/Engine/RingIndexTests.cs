using Udpx.Engine;

namespace Udpx.Tests.Engine;

public sealed class RingIndexTests
{
    [Theory]
    [InlineData("index", 0)]
    [InlineData("index", -4)]
    [InlineData("log", 6)]
    [InlineData("queue", 96)]
    [InlineData("slots", 32)]
    [InlineData("slots", 100)]
    public void A_ring_refuses_a_capacity_that_is_not_a_power_of_two_or_below_its_minimum(string ring, int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ring switch
        {
            "index" => new RingIndex(capacity),
            "log" => new SendOrderLog(capacity),
            "queue" => new LostQueue(capacity),
            _ => (object)new ChunkSlots(capacity),
        });

    [Fact]
    public void Indices_run_from_the_oldest_and_wrap_at_the_capacity()
    {
        var ring = new RingIndex(4);
        Assert.Equal(new[] { 0, 1, 2 }, new[] { ring.Add(), ring.Add(), ring.Add() });
        ring.RemoveOldest();
        ring.RemoveOldest();
        Assert.Equal(2, ring.Oldest);
        Assert.Equal(new[] { 3, 0, 1 }, new[] { ring.Add(), ring.Add(), ring.Add() });
        Assert.True(ring.IsFull);
        Assert.Equal(new[] { 2, 3, 0, 1 }, new[] { ring.At(0), ring.At(1), ring.At(2), ring.At(3) });
    }

    [Fact]
    public void Full_and_empty_are_told_apart_at_the_same_head()
    {
        var ring = new RingIndex(2);
        Assert.True(ring.IsEmpty);
        Assert.False(ring.IsFull);
        ring.Add();
        ring.Add();
        Assert.True(ring.IsFull);
        Assert.False(ring.IsEmpty);
        Assert.Equal(2, ring.Count);
        ring.Clear();
        Assert.True(ring.IsEmpty);
        Assert.Equal(0, ring.Add());
    }
}
