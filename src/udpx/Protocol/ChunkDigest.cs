using System.Buffers.Binary;
using System.IO.Hashing;

namespace Udpx.Protocol;

/// <summary>
/// The whole-file digest udpx verifies: XxHash128 over the XxHash3-64 of every chunk, in chunk order,
/// each as 8 big-endian bytes. Both ends already hash every chunk for its datagram checksum, so the
/// digest costs 8 bytes of hashing per chunk instead of a second pass over the file, and the client can
/// send it in its Finish instead of reading the whole file before its Offer.
/// </summary>
internal sealed class ChunkDigest
{
    private readonly XxHash128 _hash = new();

    /// <summary>Chunks appended so far.</summary>
    public ulong Chunks { get; private set; }

    public void Append(ulong chunkHash)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, chunkHash);
        _hash.Append(bytes);
        Chunks++;
    }

    public UInt128 Current => _hash.GetCurrentHashAsUInt128();

    public void Reset()
    {
        _hash.Reset();
        Chunks = 0;
    }

    /// <summary>The digest of bytes held in memory, cut into chunks of <paramref name="chunkSize"/>.</summary>
    public static UInt128 Of(ReadOnlySpan<byte> file, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        var digest = new ChunkDigest();
        for (int offset = 0; offset < file.Length; offset += chunkSize)
        {
            digest.Append(Checksum.HashPayload(file.Slice(offset, Math.Min(chunkSize, file.Length - offset))));
        }
        return digest.Current;
    }
}
