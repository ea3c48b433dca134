using Udpx.Engine;

namespace Udpx.Tests.Engine;

public sealed class SendOrderLogTests
{
    [Fact]
    public void Transmissions_are_read_back_oldest_first_with_all_their_fields()
    {
        var log = new SendOrderLog(8);
        log.Append(chunk: 4, sends: 1, time: 100, packet: 10);
        log.Append(chunk: 2, sends: 3, time: 150, packet: 11);
        Assert.Equal(2, log.Count);

        Assert.Equal((4UL, (ushort)1, 100L, 10L), (log.OldestChunk, log.OldestSends, log.OldestTime, log.OldestPacket));
        log.RemoveOldest();
        Assert.Equal((2UL, (ushort)3, 150L, 11L), (log.OldestChunk, log.OldestSends, log.OldestTime, log.OldestPacket));
        log.RemoveOldest();
        Assert.True(log.IsEmpty);
    }

    [Fact]
    public void The_log_is_full_at_its_capacity()
    {
        var log = new SendOrderLog(4);
        for (int i = 0; i < 4; i++)
        {
            Assert.False(log.IsFull);
            log.Append((ulong)i, 1, i, i);
        }
        Assert.True(log.IsFull);
        Assert.Equal(4, log.Count);
        log.RemoveOldest();
        Assert.False(log.IsFull);
        Assert.Equal(1UL, log.OldestChunk);
    }

    [Fact]
    public void The_search_by_packet_number_finds_every_logged_one_and_nothing_else_across_the_wrap()
    {
        var log = new SendOrderLog(8);
        long packet = 0;
        // Move head and tail round the ring a few times, leaving it full with packets 37..44 (head mid-array).
        for (int i = 0; i < 45; i++)
        {
            if (log.IsFull)
            {
                log.RemoveOldest();
            }
            log.Append((ulong)i, 1, time: 1_000 + (packet * 10), packet);
            packet++;
        }
        Assert.True(log.IsFull);
        Assert.Equal(37, log.OldestPacket);
        for (long p = 37; p <= 44; p++)
        {
            Assert.True(log.TryFindSendTime(p, out long sentAt), "packet " + p);
            Assert.Equal(1_000 + (p * 10), sentAt);
        }
        Assert.False(log.TryFindSendTime(36, out _));
        Assert.False(log.TryFindSendTime(45, out _));
    }

    [Fact]
    public void The_search_skips_gaps_in_the_packet_numbers()
    {
        // Control datagrams take packet numbers too, so the logged data packets are not consecutive.
        var log = new SendOrderLog(16);
        long[] packets = { 3, 4, 9, 10, 11, 20, 31 };
        foreach (long p in packets)
        {
            log.Append((ulong)p, 1, time: p * 100, p);
        }
        foreach (long p in packets)
        {
            Assert.True(log.TryFindSendTime(p, out long sentAt));
            Assert.Equal(p * 100, sentAt);
        }
        foreach (long p in new long[] { 0, 5, 8, 12, 19, 21, 30, 32 })
        {
            Assert.False(log.TryFindSendTime(p, out long sentAt));
            Assert.Equal(0, sentAt);
        }
    }

    [Fact]
    public void An_empty_or_cleared_log_finds_nothing()
    {
        var log = new SendOrderLog(4);
        Assert.False(log.TryFindSendTime(0, out _));
        log.Append(1, 1, 5, 7);
        log.Append(2, 1, 6, 8);
        log.Clear();
        Assert.True(log.IsEmpty);
        Assert.False(log.TryFindSendTime(7, out _));
        log.Append(9, 2, 50, 60);
        Assert.Equal(9UL, log.OldestChunk);
        Assert.True(log.TryFindSendTime(60, out long sentAt));
        Assert.Equal(50, sentAt);
    }
}
