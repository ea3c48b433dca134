using System.Buffers.Binary;

namespace Udpx.Net;

/// <summary>
/// The last few hundred datagrams of a stream, for the live stream pane: one writer records without
/// allocating or locking, readers copy what is new at their own pace and learn how many they missed.
/// </summary>
internal sealed class DatagramRing
{
    private readonly DatagramRecord[] _entries;
    private readonly int _mask;
    private long _written;

    public DatagramRing(int capacity = 256)
    {
        if (capacity < 2 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "capacity must be a power of two");
        }
        _entries = new DatagramRecord[capacity];
        _mask = capacity - 1;
    }

    public int Capacity => _entries.Length;

    /// <summary>Records ever written.</summary>
    public long Written => Volatile.Read(ref _written);

    public void Record(long timeMicros, ulong sessionId, ulong chunk, long runningBytes, int length, ReadOnlySpan<byte> payload)
    {
        long n = _written;
        ulong head = 0;
        int take = Math.Min(8, payload.Length);
        for (int i = 0; i < take; i++)
        {
            head |= (ulong)payload[i] << (56 - (8 * i));
        }
        _entries[(int)(n & _mask)] = new DatagramRecord(timeMicros, sessionId, chunk, runningBytes, length, (byte)take, head);
        Volatile.Write(ref _written, n + 1);
    }

    /// <summary>
    /// Copies records written since <paramref name="cursor"/> (oldest first) into <paramref name="destination"/>,
    /// advances the cursor, and returns how many were copied; <paramref name="missed"/> counts those overwritten
    /// before the reader came.
    /// </summary>
    public int ReadSince(ref long cursor, Span<DatagramRecord> destination, out long missed)
    {
        long end = Volatile.Read(ref _written);
        long start = Math.Max(cursor, end - _entries.Length + 1);
        int count = (int)Math.Min(end - start, destination.Length);
        for (int i = 0; i < count; i++)
        {
            destination[i] = _entries[(int)((start + i) & _mask)];
        }
        // The writer may have lapped what we just copied (it overwrites the slot of record n - capacity
        // while writing record n): drop what could be torn.
        long firstIntact = Volatile.Read(ref _written) - _entries.Length + 1;
        int drop = (int)Math.Clamp(firstIntact - start, 0, count);
        if (drop > 0)
        {
            destination[drop..count].CopyTo(destination);
            count -= drop;
        }
        missed = start - cursor + drop;
        cursor = start + drop + count;
        return count;
    }
}

/// <summary>One datagram as the stream pane shows it: when, which session, which chunk, running bytes, length, first bytes.</summary>
internal readonly record struct DatagramRecord(long TimeMicros, ulong SessionId, ulong Chunk, long RunningBytes, int Length, byte HeadLength, ulong Head)
{
    public void CopyHead(Span<byte> destination)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Head);
        bytes[..Math.Min(HeadLength, destination.Length)].CopyTo(destination);
    }
}
