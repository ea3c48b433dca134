namespace Udpx.Engine;

/// <summary>
/// Chunks judged lost, waiting to be sent again, first in first out: a ring of a fixed power-of-two
/// capacity, sized once. A chunk offered when the queue is full is dropped (the caller sizes it to the
/// send window, so it is full only when everything in flight was lost and queued already).
/// Entries may go stale (acknowledged late, or behind the window): the caller checks what it peeks.
/// </summary>
internal sealed class LostQueue(int capacity)
{
    // First, so that a capacity it refuses allocates nothing.
    private RingIndex _ring = new(capacity);
    private readonly ulong[] _chunks = new ulong[capacity];

    public int Count => _ring.Count;

    public bool IsEmpty => _ring.IsEmpty;

    public int Capacity => _ring.Capacity;

    /// <summary>Queues the chunk at the back; false (and nothing queued) when the queue is full.</summary>
    public bool TryEnqueue(ulong chunk)
    {
        if (_ring.IsFull)
        {
            return false;
        }
        _chunks[_ring.Add()] = chunk;
        return true;
    }

    /// <summary>The chunk at the front. Only when not <see cref="IsEmpty"/>.</summary>
    public ulong Front => _chunks[_ring.Oldest];

    /// <summary>Drops the chunk at the front. Only when not <see cref="IsEmpty"/>.</summary>
    public void RemoveFront() => _ring.RemoveOldest();

    public void Clear() => _ring.Clear();
}
