using System.Buffers.Binary;
using System.Numerics;

namespace Udpx.Server;

/// <summary>
/// Which chunks a receiver holds: everything below <see cref="Cumulative"/>, plus a ring of bits for the
/// window above it. Memory is fixed by the window, not by the file size.
/// </summary>
internal sealed class ReceiveWindow
{
    private readonly ulong[] _bits;
    private readonly ulong _ring;
    private readonly ulong _total;

    public ReceiveWindow(ulong totalChunks, int windowChunks, ulong startAt = 0)
    {
        if (!BitOperations.IsPow2(windowChunks) || windowChunks < 64)
        {
            throw new ArgumentOutOfRangeException(nameof(windowChunks), "window must be a power of two of at least 64");
        }
        _bits = new ulong[windowChunks / 64];
        _ring = (ulong)windowChunks;
        _total = totalChunks;
        Cumulative = startAt;
        Highest = startAt;
    }

    public ulong Cumulative { get; private set; }

    /// <summary>One past the highest chunk held.</summary>
    public ulong Highest { get; private set; }

    public int WindowChunks => (int)_ring;

    public bool IsComplete => Cumulative >= _total;

    /// <summary>The file's chunks.</summary>
    public ulong TotalChunks => _total;

    public ChunkStatus Classify(ulong chunk)
    {
        if (chunk >= _total)
        {
            return ChunkStatus.OutOfRange;
        }
        if (chunk < Cumulative)
        {
            return ChunkStatus.Duplicate;
        }
        if (chunk - Cumulative >= _ring)
        {
            return ChunkStatus.BeyondWindow;
        }
        return IsSet(chunk) ? ChunkStatus.Duplicate : ChunkStatus.New;
    }

    /// <summary>Records a chunk classified New; returns how far the cumulative point moved.</summary>
    public ulong Mark(ulong chunk)
    {
        Set(chunk);
        if (chunk + 1 > Highest)
        {
            Highest = chunk + 1;
        }
        ulong start = Cumulative;
        while (Cumulative < _total && IsSet(Cumulative))
        {
            Clear(Cumulative);
            Cumulative++;
        }
        if (Highest < Cumulative)
        {
            Highest = Cumulative;
        }
        return Cumulative - start;
    }

    /// <summary>Bits for chunks Cumulative+1 .. Highest-1, LSB first, at most <paramref name="destination"/>'s length.</summary>
    public int WriteBitmap(Span<byte> destination)
    {
        if (Highest <= Cumulative + 1)
        {
            return 0;
        }
        ulong first = Cumulative + 1;
        ulong count = Math.Min(Highest - first, (ulong)destination.Length * 8);
        int bytes = (int)((count + 7) / 8);
        Span<byte> word = stackalloc byte[8];
        for (int i = 0; i < bytes; i += 8)
        {
            ulong c = first + ((ulong)i * 8);
            ulong value = ReadWord(c);
            BinaryPrimitives.WriteUInt64LittleEndian(word, value);
            int n = Math.Min(8, bytes - i);
            word[..n].CopyTo(destination[i..]);
        }
        // Bits past Highest in the last byte belong to no chunk yet: keep them clear.
        int tailBits = (int)(count % 8);
        if (tailBits != 0)
        {
            destination[bytes - 1] &= (byte)((1 << tailBits) - 1);
        }
        return bytes;
    }

    private ulong ReadWord(ulong chunk)
    {
        int shift = (int)(chunk & 63);
        ulong index = chunk >> 6;
        ulong mask = (ulong)_bits.Length - 1;
        ulong low = _bits[(int)(index & mask)] >> shift;
        if (shift == 0)
        {
            return low;
        }
        return low | (_bits[(int)((index + 1) & mask)] << (64 - shift));
    }

    private bool IsSet(ulong chunk) => (_bits[Word(chunk)] & (1UL << (int)(chunk & 63))) != 0;

    private void Set(ulong chunk) => _bits[Word(chunk)] |= 1UL << (int)(chunk & 63);

    private void Clear(ulong chunk) => _bits[Word(chunk)] &= ~(1UL << (int)(chunk & 63));

    private int Word(ulong chunk) => (int)((chunk % _ring) >> 6);
}

internal enum ChunkStatus
{
    New,
    Duplicate,
    BeyondWindow,
    OutOfRange,
}
