using Udpx.Relay;

namespace Udpx.Tests.Relay;

public class TokenBucketTests
{
    private const long Frequency = TimeSpan.TicksPerSecond;

    [Fact]
    public void Burst_leaves_at_once_then_datagrams_are_paced_at_the_rate()
    {
        // 1000 bytes/s, burst 1000, backlog 10000.
        var link = new TokenBucket(1_000, Frequency, 1_000, 10_000, now: 0);

        Assert.True(link.TryReserve(1_000, 0, out var first));
        Assert.Equal(0, first);
        Assert.True(link.TryReserve(500, 0, out var second));
        Assert.Equal(TimeSpan.FromMilliseconds(500).Ticks, second);
        Assert.True(link.TryReserve(500, 0, out var third));
        Assert.Equal(TimeSpan.FromSeconds(1).Ticks, third);
    }

    [Fact]
    public void Tokens_come_back_with_time_up_to_the_burst()
    {
        var link = new TokenBucket(1_000, Frequency, 1_000, 10_000, now: 0);
        Assert.True(link.TryReserve(1_000, 0, out _));

        var later = TimeSpan.FromSeconds(10).Ticks;
        Assert.True(link.TryReserve(1_000, later, out var departure));
        Assert.Equal(later, departure);
        Assert.True(link.TryReserve(100, later, out departure));
        Assert.Equal(later + TimeSpan.FromMilliseconds(100).Ticks, departure);
    }

    [Fact]
    public void Full_backlog_refuses_the_datagram_without_charging_it()
    {
        var link = new TokenBucket(1_000, Frequency, 0, 2_000, now: 0);
        Assert.True(link.TryReserve(1_500, 0, out _));
        Assert.False(link.TryReserve(1_000, 0, out _));
        Assert.True(link.TryReserve(500, 0, out var departure));
        Assert.Equal(TimeSpan.FromSeconds(2).Ticks, departure);
    }

    [Fact]
    public void The_relay_link_always_takes_a_full_size_datagram_when_idle()
    {
        var link = TokenBucket.ForRate(1, Frequency, now: 0);
        Assert.True(link.TryReserve(65_507, 0, out _));
    }
}
