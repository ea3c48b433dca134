using System.Buffers.Binary;
using System.IO.Hashing;

namespace Udpx.Protocol;

/// <summary>
/// The per-datagram checksum: XxHash3 of everything after the checksum field, seeded with the
/// four bytes before it, truncated to 32 bits. Catches link corruption; it is not a MAC.
/// </summary>
internal static class Checksum
{
    private const int Offset = 4;

    public static uint Compute(ReadOnlySpan<byte> datagram)
    {
        long seed = BinaryPrimitives.ReadUInt32BigEndian(datagram);
        return (uint)XxHash3.HashToUInt64(datagram[8..], seed);
    }

    public static void Seal(Span<byte> datagram) =>
        BinaryPrimitives.WriteUInt32BigEndian(datagram[Offset..], Compute(datagram));

    public static bool IsValid(ReadOnlySpan<byte> datagram) =>
        BinaryPrimitives.ReadUInt32BigEndian(datagram[Offset..]) == Compute(datagram);
}
