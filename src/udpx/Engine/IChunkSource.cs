using Microsoft.Win32.SafeHandles;
using Udpx.Common;

namespace Udpx.Engine;

/// <summary>Where a sender reads the bytes of the file it sends, by position.</summary>
internal interface IChunkSource
{
    long Length { get; }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; returns the bytes read.</summary>
    int Read(long offset, Span<byte> destination);
}

/// <summary>
/// A file read with positional I/O: no shared file position, safe for retransmissions in any order.
/// Reads ahead in blocks so that sending in order costs one system call per block, not per chunk.
/// </summary>
internal sealed class FileChunkSource : IChunkSource, IDisposable
{
    private const int BlockSize = 256 << 10;

    private readonly SafeFileHandle _handle;
    private readonly byte[] _block = GC.AllocateUninitializedArray<byte>(BlockSize);
    private long _blockStart = -1;
    private int _blockLength;

    public FileChunkSource(string path)
    {
        // Not only a file send checked: a worker process is given a path, and the file may have changed since.
        _handle = RegularFile.OpenRead(path);
        Length = RandomAccess.GetLength(_handle);
    }

    public long Length { get; }

    /// <summary>This version of the file, for the Offer (<see cref="FileIdentity"/>).</summary>
    public UInt128 Identity => FileIdentity.Of(_handle);

    public int Read(long offset, Span<byte> destination)
    {
        if (destination.Length * 2 > BlockSize)
        {
            ReadExactly(offset, destination);
            return destination.Length;
        }
        if (_blockStart < 0 || offset < _blockStart || offset + destination.Length > _blockStart + _blockLength)
        {
            // Only in-order reads move the block; a retransmission far behind reads on its own.
            if (_blockStart >= 0 && offset < _blockStart)
            {
                ReadExactly(offset, destination);
                return destination.Length;
            }
            _blockLength = (int)Math.Min(BlockSize, Length - offset);
            ReadExactly(offset, _block.AsSpan(0, _blockLength));
            _blockStart = offset;
        }
        _block.AsSpan((int)(offset - _blockStart), destination.Length).CopyTo(destination);
        return destination.Length;
    }

    private void ReadExactly(long offset, Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = RandomAccess.Read(_handle, destination[total..], offset + total);
            if (n == 0)
            {
                throw new IOException("file shrank while being sent");
            }
            total += n;
        }
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>Bytes held in memory (tests, samples).</summary>
internal sealed class MemoryChunkSource(ReadOnlyMemory<byte> bytes) : IChunkSource
{
    public long Length => bytes.Length;

    public int Read(long offset, Span<byte> destination)
    {
        bytes.Span.Slice((int)offset, destination.Length).CopyTo(destination);
        return destination.Length;
    }
}
