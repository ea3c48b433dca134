using Microsoft.Win32.SafeHandles;

namespace Udpx.Engine;

/// <summary>Where a sender reads the bytes of the file it sends, by position.</summary>
internal interface IChunkSource
{
    long Length { get; }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; returns the bytes read.</summary>
    int Read(long offset, Span<byte> destination);
}

/// <summary>A file read with positional I/O: no shared file position, safe for retransmissions in any order.</summary>
internal sealed class FileChunkSource : IChunkSource, IDisposable
{
    private readonly SafeFileHandle _handle;

    public FileChunkSource(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        Length = RandomAccess.GetLength(_handle);
    }

    public long Length { get; }

    public int Read(long offset, Span<byte> destination)
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
        return total;
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
