using Udpx.Engine;

namespace Udpx.Tests.Engine;

public sealed class LostQueueTests
{
    [Fact]
    public void Chunks_come_out_in_the_order_they_went_in()
    {
        var queue = new LostQueue(8);
        Assert.True(queue.IsEmpty);
        foreach (ulong chunk in new ulong[] { 7, 3, 11 })
        {
            Assert.True(queue.TryEnqueue(chunk));
        }
        Assert.Equal(3, queue.Count);
        Assert.Equal(new ulong[] { 7, 3, 11 }, Drain(queue));
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void A_full_queue_refuses_more_and_keeps_what_it_holds()
    {
        var queue = new LostQueue(4);
        for (ulong chunk = 0; chunk < 4; chunk++)
        {
            Assert.True(queue.TryEnqueue(chunk));
        }
        Assert.False(queue.TryEnqueue(99));
        Assert.Equal(4, queue.Count);
        Assert.Equal(new ulong[] { 0, 1, 2, 3 }, Drain(queue));
    }

    [Fact]
    public void The_ring_wraps_around_many_times_without_losing_order()
    {
        var queue = new LostQueue(4);
        ulong written = 0;
        var read = new List<ulong>();
        for (int round = 0; round < 50; round++)
        {
            // Three in, two out: the head and the tail both pass the end of the array again and again.
            while (queue.Count < 4 && queue.TryEnqueue(written))
            {
                written++;
                if (written % 3 == 0)
                {
                    break;
                }
            }
            for (int i = 0; i < 2 && !queue.IsEmpty; i++)
            {
                read.Add(queue.Front);
                queue.RemoveFront();
            }
        }
        read.AddRange(Drain(queue));
        Assert.Equal(Enumerable.Range(0, (int)written).Select(i => (ulong)i), read);
    }

    [Fact]
    public void Clear_empties_the_queue_and_it_fills_again_from_the_start()
    {
        var queue = new LostQueue(4);
        queue.TryEnqueue(1);
        queue.TryEnqueue(2);
        queue.RemoveFront();
        queue.Clear();
        Assert.True(queue.IsEmpty);
        for (ulong chunk = 10; chunk < 14; chunk++)
        {
            Assert.True(queue.TryEnqueue(chunk));
        }
        Assert.False(queue.TryEnqueue(14));
        Assert.Equal(new ulong[] { 10, 11, 12, 13 }, Drain(queue));
    }

    private static List<ulong> Drain(LostQueue queue)
    {
        var chunks = new List<ulong>();
        while (!queue.IsEmpty)
        {
            chunks.Add(queue.Front);
            queue.RemoveFront();
        }
        return chunks;
    }
}
