namespace Udpx.Engine;

/// <summary>
/// The sender's per-chunk state for the send window, a ring indexed by chunk modulo its power-of-two
/// capacity: each slot's state, how many times it has been sent, and a bitmap of the acknowledged slots
/// (64 to a word, so a selective acknowledgement is compared a word at a time). The window never
/// exceeds the ring, so a slot belongs to one chunk of the window at a time; which chunks those are is
/// the caller's to know. Arrays are sized once; nothing allocates afterwards.
/// </summary>
internal sealed class ChunkSlots
{
    private readonly int _mask;
    private readonly ChunkSlotState[] _state;
    private readonly ushort[] _sends;
    private readonly ulong[] _ackedBits;

    /// <param name="capacity">A power of two, at least 64.</param>
    public ChunkSlots(int capacity)
    {
        if (capacity < 64 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "capacity must be a power of two of at least 64");
        }
        _mask = capacity - 1;
        _state = new ChunkSlotState[capacity];
        _sends = new ushort[capacity];
        _ackedBits = new ulong[capacity / 64];
    }

    /// <summary>How many chunks the ring holds: the largest window it serves.</summary>
    public int Capacity => _mask + 1;

    public ChunkSlotState StateOf(ulong chunk) => _state[Slot(chunk)];

    /// <summary>True when the chunk's slot is in flight from send number <paramref name="sends"/>, that is, no later send or acknowledgement has overtaken it.</summary>
    public bool IsInFlightFrom(ulong chunk, ushort sends)
    {
        int slot = Slot(chunk);
        return _state[slot] == ChunkSlotState.InFlight && _sends[slot] == sends;
    }

    /// <summary>Marks the chunk in flight and counts the send (saturating); returns the send's number, 1 for the first.</summary>
    public ushort MarkSent(ulong chunk)
    {
        int slot = Slot(chunk);
        _state[slot] = ChunkSlotState.InFlight;
        ushort sends = (ushort)Math.Min(_sends[slot] + 1, ushort.MaxValue);
        _sends[slot] = sends;
        return sends;
    }

    public void MarkLost(ulong chunk) => _state[Slot(chunk)] = ChunkSlotState.Lost;

    /// <summary>Marks an in-flight or lost chunk acknowledged; returns the state it had (an unsent or acknowledged one is left as it is).</summary>
    public ChunkSlotState MarkAcked(ulong chunk)
    {
        int slot = Slot(chunk);
        ChunkSlotState state = _state[slot];
        if (state is ChunkSlotState.InFlight or ChunkSlotState.Lost)
        {
            _state[slot] = ChunkSlotState.Acked;
            _ackedBits[slot >> 6] |= 1UL << (slot & 63);
        }
        return state;
    }

    /// <summary>
    /// The acknowledged bits of the slots from <paramref name="chunk"/> to the end of its 64-slot word,
    /// bit 0 for <paramref name="chunk"/> itself (the higher bits are zero).
    /// </summary>
    public ulong AckedBitsFrom(ulong chunk) => _ackedBits[Slot(chunk) >> 6] >> (int)(chunk & 63);

    /// <summary>Frees the chunk's slot for the chunk one ring later: unsent, never sent, not acknowledged.</summary>
    public void Release(ulong chunk)
    {
        int slot = Slot(chunk);
        _state[slot] = ChunkSlotState.Unsent;
        _sends[slot] = 0;
        _ackedBits[slot >> 6] &= ~(1UL << (slot & 63));
    }

    /// <summary>Every slot unsent, as new.</summary>
    public void Clear()
    {
        Array.Clear(_state);
        Array.Clear(_sends);
        Array.Clear(_ackedBits);
    }

    private int Slot(ulong chunk) => (int)(chunk & (ulong)_mask);
}

/// <summary>Where one chunk of the send window stands (the default, zero, is unsent).</summary>
internal enum ChunkSlotState : byte { Unsent, InFlight, Lost, Acked }
