using System.Buffers.Binary;
using System.IO.Hashing;

namespace Udpx.Protocol;

/// <summary>
/// The per-datagram checksum, truncated to 32 bits; it catches link corruption and is not a MAC.
/// A control message: XxHash3 of everything after the checksum field, seeded with the four bytes before it.
/// A data datagram: the payload (everything after the data header) is hashed on its own first, and that
/// 64-bit hash seeds the hash of the header. The payload hash of an unkeyed datagram is also the chunk
/// hash the file digest is built from (<see cref="ChunkDigest"/>), so each file byte is hashed once.
/// </summary>
internal static class Checksum
{
    private const int Offset = 4;

    public static uint Compute(ReadOnlySpan<byte> datagram) =>
        IsData(datagram) ? ComputeData(datagram, HashPayload(datagram[Wire.DataHeaderSize..])) : ComputeControl(datagram);

    public static void Seal(Span<byte> datagram) =>
        BinaryPrimitives.WriteUInt32BigEndian(datagram[Offset..], Compute(datagram));

    /// <summary>Seals a data datagram whose payload hash is already known.</summary>
    public static void SealData(Span<byte> datagram, ulong payloadHash) =>
        BinaryPrimitives.WriteUInt32BigEndian(datagram[Offset..], ComputeData(datagram, payloadHash));

    public static bool IsValid(ReadOnlySpan<byte> datagram) => IsValid(datagram, out _);

    /// <summary>Checks the checksum; for a data datagram also gives the hash of its payload (0 otherwise).</summary>
    public static bool IsValid(ReadOnlySpan<byte> datagram, out ulong payloadHash)
    {
        uint expected = BinaryPrimitives.ReadUInt32BigEndian(datagram[Offset..]);
        if (!IsData(datagram))
        {
            payloadHash = 0;
            return expected == ComputeControl(datagram);
        }
        payloadHash = HashPayload(datagram[Wire.DataHeaderSize..]);
        return expected == ComputeData(datagram, payloadHash);
    }

    /// <summary>XxHash3-64 of a data payload: the chunk hash of <see cref="ChunkDigest"/>.</summary>
    public static ulong HashPayload(ReadOnlySpan<byte> payload) => XxHash3.HashToUInt64(payload);

    private static bool IsData(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= Wire.DataHeaderSize && datagram[2] == (byte)MessageType.Data;

    private static uint ComputeControl(ReadOnlySpan<byte> datagram)
    {
        long seed = BinaryPrimitives.ReadUInt32BigEndian(datagram);
        return (uint)XxHash3.HashToUInt64(datagram[8..], seed);
    }

    private static uint ComputeData(ReadOnlySpan<byte> datagram, ulong payloadHash)
    {
        long seed = (long)(payloadHash ^ BinaryPrimitives.ReadUInt32BigEndian(datagram));
        return (uint)XxHash3.HashToUInt64(datagram[8..Wire.DataHeaderSize], seed);
    }
}
