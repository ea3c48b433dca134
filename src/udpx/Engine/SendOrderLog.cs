namespace Udpx.Engine;

/// <summary>
/// The sender's data transmissions in the order they went out, oldest first, for loss detection by
/// time (RACK) and by timeout: for each, the chunk, the chunk's send number, the send time and the
/// packet number. A ring of a fixed power-of-two capacity, sized once, kept as one array per field so
/// the search by packet number reads only packet numbers. Packet numbers grow with each append.
/// </summary>
internal sealed class SendOrderLog
{
    private readonly ulong[] _chunk;
    private readonly ushort[] _sends;
    private readonly long[] _time;
    private readonly long[] _packet;
    private readonly int _mask;
    private int _head;
    private int _count;

    /// <param name="capacity">A power of two.</param>
    public SendOrderLog(int capacity)
    {
        if (capacity < 1 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "capacity must be a power of two");
        }
        _chunk = new ulong[capacity];
        _sends = new ushort[capacity];
        _time = new long[capacity];
        _packet = new long[capacity];
        _mask = capacity - 1;
    }

    public int Count => _count;

    public bool IsEmpty => _count == 0;

    public bool IsFull => _count == _chunk.Length;

    public int Capacity => _chunk.Length;

    /// <summary>Logs a transmission at the back. Only when not <see cref="IsFull"/>; <paramref name="packet"/> above every logged one.</summary>
    public void Append(ulong chunk, ushort sends, long time, long packet)
    {
        int tail = (_head + _count) & _mask;
        _chunk[tail] = chunk;
        _sends[tail] = sends;
        _time[tail] = time;
        _packet[tail] = packet;
        _count++;
    }

    // The oldest transmission's fields; only when not IsEmpty.
    public ulong OldestChunk => _chunk[_head];

    public ushort OldestSends => _sends[_head];

    public long OldestTime => _time[_head];

    public long OldestPacket => _packet[_head];

    /// <summary>Forgets the oldest transmission. Only when not <see cref="IsEmpty"/>.</summary>
    public void RemoveOldest()
    {
        _head = (_head + 1) & _mask;
        _count--;
    }

    /// <summary>The send time of packet <paramref name="packet"/> while it is still logged (binary search: numbers only grow).</summary>
    public bool TryFindSendTime(long packet, out long sentAt)
    {
        int low = 0;
        int high = _count - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            int index = (_head + middle) & _mask;
            long number = _packet[index];
            if (number == packet)
            {
                sentAt = _time[index];
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
        return false;
    }

    public void Clear()
    {
        _head = 0;
        _count = 0;
    }
}
