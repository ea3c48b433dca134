namespace Udpx.Engine;

/// <summary>
/// The sender's data transmissions in the order they went out, oldest first, for loss detection by
/// time (RACK) and by timeout: for each, the chunk, the chunk's send number, the send time and the
/// packet number. A ring of a fixed power-of-two capacity, sized once, kept as one array per field so
/// the search by packet number reads only packet numbers. Packet numbers grow with each append.
/// </summary>
internal sealed class SendOrderLog(int capacity)
{
    // First, so that a capacity it refuses allocates nothing.
    private RingIndex _ring = new(capacity);
    private readonly ulong[] _chunk = new ulong[capacity];
    private readonly ushort[] _sends = new ushort[capacity];
    private readonly long[] _time = new long[capacity];
    private readonly long[] _packet = new long[capacity];

    public int Count => _ring.Count;

    public bool IsEmpty => _ring.IsEmpty;

    public bool IsFull => _ring.IsFull;

    public int Capacity => _ring.Capacity;

    /// <summary>Logs a transmission at the back. Only when not <see cref="IsFull"/>; <paramref name="packet"/> above every logged one.</summary>
    public void Append(ulong chunk, ushort sends, long time, long packet)
    {
        int newest = _ring.Add();
        _chunk[newest] = chunk;
        _sends[newest] = sends;
        _time[newest] = time;
        _packet[newest] = packet;
    }

    // The oldest transmission's fields; only when not IsEmpty.
    public ulong OldestChunk => _chunk[_ring.Oldest];

    public ushort OldestSends => _sends[_ring.Oldest];

    public long OldestTime => _time[_ring.Oldest];

    public long OldestPacket => _packet[_ring.Oldest];

    /// <summary>The chunk of the transmission <paramref name="offset"/> places after the oldest; only below <see cref="Count"/>.</summary>
    public ulong ChunkAt(int offset) => _chunk[_ring.At(offset)];

    /// <summary>The chunk's send number of the transmission <paramref name="offset"/> places after the oldest.</summary>
    public ushort SendsAt(int offset) => _sends[_ring.At(offset)];

    /// <summary>Forgets the oldest transmission. Only when not <see cref="IsEmpty"/>.</summary>
    public void RemoveOldest() => _ring.RemoveOldest();

    /// <summary>The send time of packet <paramref name="packet"/> while it is still logged (binary search: numbers only grow).</summary>
    public bool TryFindSendTime(long packet, out long sentAt) => TryFind(packet, out sentAt, out _);

    /// <summary>The send time and chunk of packet <paramref name="packet"/> while it is still logged.</summary>
    public bool TryFind(long packet, out long sentAt, out ulong chunk)
    {
        int low = 0;
        int high = _ring.Count - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            int index = _ring.At(middle);
            long number = _packet[index];
            if (number == packet)
            {
                sentAt = _time[index];
                chunk = _chunk[index];
                return true;
            }
            if (number < packet)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        sentAt = 0;
        chunk = 0;
        return false;
    }

    public void Clear() => _ring.Clear();
}
