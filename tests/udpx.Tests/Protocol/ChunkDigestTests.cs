using Udpx.Protocol;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>The file digest built from chunk hashes, and the data checksum that yields those hashes.</summary>
public sealed class ChunkDigestTests
{
    [Fact]
    public void The_digest_is_the_hash_of_the_chunk_hashes_in_order()
    {
        byte[] file = Simulation.RandomFile(10_000, 1);
        var digest = new ChunkDigest();
        for (int offset = 0; offset < file.Length; offset += 1444)
        {
            digest.Append(Checksum.HashPayload(file.AsSpan(offset, Math.Min(1444, file.Length - offset))));
        }

        Assert.Equal(7UL, digest.Chunks);
        Assert.Equal(ChunkDigest.Of(file, 1444), digest.Current);
    }

    [Fact]
    public void The_digest_matches_its_definition_computed_independently()
    {
        // docs/protocol.md: XxHash128 over each chunk's XxHash3-64, written as 8 big-endian bytes, in chunk order.
        byte[] file = Simulation.RandomFile(3 * 1444 + 7, 4);
        byte[] hashes = new byte[4 * 8];
        for (int i = 0; i < 4; i++)
        {
            var chunk = file.AsSpan(i * 1444, Math.Min(1444, file.Length - (i * 1444)));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(hashes.AsSpan(i * 8), System.IO.Hashing.XxHash3.HashToUInt64(chunk));
        }

        Assert.Equal(System.IO.Hashing.XxHash128.HashToUInt128(hashes), ChunkDigest.Of(file, 1444));
    }

    [Fact]
    public void Swapped_chunks_a_changed_byte_or_another_chunk_size_change_the_digest()
    {
        byte[] file = Simulation.RandomFile(4 * 1444, 2);
        var original = ChunkDigest.Of(file, 1444);

        byte[] swapped = (byte[])file.Clone();
        file.AsSpan(0, 1444).CopyTo(swapped.AsSpan(1444));
        file.AsSpan(1444, 1444).CopyTo(swapped);
        byte[] changed = (byte[])file.Clone();
        changed[4000] ^= 0x20;

        Assert.NotEqual(original, ChunkDigest.Of(swapped, 1444));
        Assert.NotEqual(original, ChunkDigest.Of(changed, 1444));
        Assert.NotEqual(original, ChunkDigest.Of(file, 1000));
    }

    [Fact]
    public void An_empty_file_has_the_digest_of_no_chunks()
    {
        Assert.Equal(new ChunkDigest().Current, ChunkDigest.Of([], 1444));
    }

    [Fact]
    public void The_data_checksum_yields_the_chunk_hash_and_covers_header_and_payload()
    {
        byte[] buffer = new byte[1472];
        byte[] payload = Simulation.RandomFile(Wire.ChunkSizeFor(1472), 3);
        MessageCodec.WriteDataHeader(buffer, 9, 41, 1234);
        payload.CopyTo(MessageCodec.DataPayload(buffer));
        int length = MessageCodec.SealData(buffer, payload.Length);

        Assert.Equal(DatagramStatus.Ok, DatagramHeader.TryRead(buffer.AsSpan(0, length), out _, out ulong payloadHash));
        Assert.Equal(Checksum.HashPayload(payload), payloadHash);

        foreach (int position in new[] { 3, 9, 17, 25, 28, 1000, length - 1 })
        {
            buffer[position] ^= 0x01;
            Assert.Equal(DatagramStatus.BadChecksum, DatagramHeader.TryRead(buffer.AsSpan(0, length), out _));
            buffer[position] ^= 0x01;
        }
    }
}
