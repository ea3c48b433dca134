using System.Buffers.Binary;
using System.Numerics;

namespace Udpx.Protocol;

/// <summary>
/// SipHash-2-4 (Aumasson and Bernstein): a keyed pseudo-random function for short inputs.
/// Used for handshake cookies, so the static binary needs no cryptographic library.
/// </summary>
internal static class SipHash
{
    public static ulong Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        ulong k0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
        ulong k1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
        ulong v0 = k0 ^ 0x736f6d6570736575UL;
        ulong v1 = k1 ^ 0x646f72616e646f6dUL;
        ulong v2 = k0 ^ 0x6c7967656e657261UL;
        ulong v3 = k1 ^ 0x7465646279746573UL;

        int whole = data.Length & ~7;
        for (int i = 0; i < whole; i += 8)
        {
            ulong m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        ulong last = (ulong)(data.Length & 0xff) << 56;
        var tail = data[whole..];
        for (int i = 0; i < tail.Length; i++)
        {
            last |= (ulong)tail[i] << (8 * i);
        }
        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;

        v2 ^= 0xff;
        for (int i = 0; i < 4; i++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
