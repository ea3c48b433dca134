namespace Udpx.Engine;

/// <summary>
/// Chunks judged lost, waiting to be sent again, first in first out: a ring of a fixed power-of-two
/// capacity, sized once. A chunk offered when the queue is full is dropped (the caller sizes it to the
/// send window, so it is full only when everything in flight was lost and queued already).
/// Entries may go stale (acknowledged late, or behind the window): the caller checks what it peeks.
/// </summary>
internal sealed class LostQueue
{
    private readonly ulong[] _chunks;
    private readonly int _mask;
    private int _head;
    private int _count;

    /// <param name="capacity">A power of two.</param>
    public LostQueue(int capacity)
    {
        if (capacity < 1 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "capacity must be a power of two");
        }
        _chunks = new ulong[capacity];
        _mask = capacity - 1;
    }

    public int Count => _count;

    public bool IsEmpty => _count == 0;

    public int Capacity => _chunks.Length;

    /// <summary>Queues the chunk at the back; false (and nothing queued) when the queue is full.</summary>
    public bool TryEnqueue(ulong chunk)
    {
        if (_count == _chunks.Length)
        {
            return false;
        }
        _chunks[(_head + _count) & _mask] = chunk;
        _count++;
        return true;
    }

    /// <summary>The chunk at the front. Only when not <see cref="IsEmpty"/>.</summary>
    public ulong Front => _chunks[_head];

    /// <summary>Drops the chunk at the front. Only when not <see cref="IsEmpty"/>.</summary>
    public void RemoveFront()
    {
        _head = (_head + 1) & _mask;
        _count--;
    }

    public void Clear()
    {
        _head = 0;
        _count = 0;
    }
}
