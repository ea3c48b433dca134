using System.Buffers.Binary;
using Udpx.Protocol;

namespace Udpx.Tests.Reliability;

/// <summary>
/// Makes fuzz datagrams from a seed: purely random bytes, random bytes behind a plausible udpx header,
/// and mutations of valid datagrams (bit flips, interesting values in fields, truncation, extension,
/// splices, other types). Half of them are resealed with <see cref="Checksum.Seal"/> so they get past
/// the checksum and reach the parsers.
/// </summary>
internal sealed class DatagramMutator(int seed, IReadOnlyList<byte[]> corpus)
{
    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff,
        0x1_0000_0000, 0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, ulong.MaxValue, ulong.MaxValue - 1, 1444, 1472, 65507, 65508,
    ];

    private readonly Random _random = new(seed);

    public long Random { get; private set; }

    public long Mutated { get; private set; }

    public long Resealed { get; private set; }

    /// <summary>Writes the next fuzz datagram into <paramref name="buffer"/> (at least 65,507 bytes); returns its length.</summary>
    public int Next(Span<byte> buffer)
    {
        int length = _random.NextDouble() < 0.4 ? RandomDatagram(buffer) : Mutate(buffer);
        if (length >= 8 && _random.Next(2) == 0)
        {
            Checksum.Seal(buffer[..length]);
            Resealed++;
        }
        return length;
    }

    private int RandomDatagram(Span<byte> buffer)
    {
        Random++;
        double size = _random.NextDouble();
        int length = size < 0.001 ? _random.Next(1500, Wire.MaxDatagramSize + 1)
            : size < 0.3 ? _random.Next(0, 65)
            : _random.Next(0, 1501);
        var d = buffer[..length];
        _random.NextBytes(d);
        if (length >= Wire.HeaderSize && _random.Next(2) == 0)
        {
            // Plausible enough to get past the first checks.
            d[0] = Wire.Magic;
            d[1] = Wire.Version;
            d[2] = (byte)_random.Next(0, 12);
        }
        return length;
    }

    private int Mutate(Span<byte> buffer)
    {
        Mutated++;
        byte[] original = corpus[_random.Next(corpus.Count)];
        original.CopyTo(buffer);
        int length = original.Length;
        int operations = 1 + _random.Next(3);
        for (int i = 0; i < operations; i++)
        {
            length = MutateOnce(buffer, length);
        }
        return length;
    }

    private int MutateOnce(Span<byte> buffer, int length)
    {
        switch (_random.Next(10))
        {
            case 0 when length > 0:
                for (int flips = 1 + _random.Next(8); flips > 0; flips--)
                {
                    int bit = _random.Next(length * 8);
                    buffer[bit / 8] ^= (byte)(1 << (bit % 8));
                }
                return length;
            case 1 when length > 0:
                buffer[_random.Next(length)] = (byte)_random.Next(256);
                return length;
            case 2 when length >= 2:
                // A length, count or size field: 2, 4 or 8 bytes set to a boundary value.
                int width = 2 << _random.Next(3);
                if (width > length)
                {
                    width = 2;
                }
                int at = _random.Next(length - width + 1);
                ulong value = Interesting[_random.Next(Interesting.Length)];
                switch (width)
                {
                    case 2:
                        BinaryPrimitives.WriteUInt16BigEndian(buffer[at..], (ushort)value);
                        break;
                    case 4:
                        BinaryPrimitives.WriteUInt32BigEndian(buffer[at..], (uint)value);
                        break;
                    default:
                        BinaryPrimitives.WriteUInt64BigEndian(buffer[at..], value);
                        break;
                }
                return length;
            case 3:
                return length == 0 ? 0 : _random.Next(length);
            case 4:
                int extra = _random.Next(10) == 0 ? _random.Next(1, 2000) : _random.Next(1, 65);
                extra = Math.Min(extra, Wire.MaxDatagramSize - length);
                _random.NextBytes(buffer.Slice(length, extra));
                return length + extra;
            case 5 when length > 2:
                buffer[2] = (byte)_random.Next(0, 16);
                return length;
            case 6 when length > 1:
                buffer[_random.Next(2)] = (byte)_random.Next(256);
                return length;
            case 7:
                // Splice: this one's head, another's tail.
                byte[] other = corpus[_random.Next(corpus.Count)];
                int head = _random.Next(length + 1);
                int tail = _random.Next(other.Length + 1);
                int take = Math.Min(other.Length - tail, Wire.MaxDatagramSize - head);
                other.AsSpan(tail, take).CopyTo(buffer[head..]);
                return head + take;
            case 8 when length > 0:
                // Insert random bytes in the middle.
                int where = _random.Next(length);
                int count = Math.Min(_random.Next(1, 33), Wire.MaxDatagramSize - length);
                buffer[where..length].CopyTo(buffer[(where + count)..]);
                _random.NextBytes(buffer.Slice(where, count));
                return length + count;
            case 9 when length >= Wire.HeaderSize:
                // Another session id: unknown to the server, or zero.
                BinaryPrimitives.WriteUInt64BigEndian(buffer[8..], _random.Next(2) == 0 ? 0 : (ulong)_random.NextInt64());
                return length;
            default:
                return length;
        }
    }
}
