using System.Numerics;

namespace Udpx.Engine;

/// <summary>
/// Where the entries of a ring of a power-of-two capacity stand: the oldest one's index and how many
/// there are. The arrays are its owner's; this only does the index arithmetic, the same for each ring.
/// </summary>
internal struct RingIndex
{
    private readonly int _mask;
    private int _head;
    private int _count;

    public RingIndex(int capacity)
    {
        if (!BitOperations.IsPow2(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "capacity must be a power of two");
        }
        _mask = capacity - 1;
    }

    public readonly int Capacity => _mask + 1;

    public readonly int Count => _count;

    public readonly bool IsEmpty => _count == 0;

    public readonly bool IsFull => _count > _mask;

    /// <summary>The index of the oldest entry. Only when not <see cref="IsEmpty"/>.</summary>
    public readonly int Oldest => _head;

    /// <summary>The index of the entry <paramref name="offset"/> places after the oldest.</summary>
    public readonly int At(int offset) => (_head + offset) & _mask;

    /// <summary>Takes the index after the newest for a new entry. Only when not <see cref="IsFull"/>.</summary>
    public int Add() => (_head + _count++) & _mask;

    /// <summary>Gives up the oldest entry's index. Only when not <see cref="IsEmpty"/>.</summary>
    public void RemoveOldest()
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
