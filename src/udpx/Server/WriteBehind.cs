using System.Buffers;

namespace Udpx.Server;

/// <summary>
/// Gathers chunks that arrive in order into one buffer and writes them with one positional write,
/// instead of a system call per datagram. Anything out of order is written straight through.
/// Owned by the receive thread; flushed before verification and when the session ends. The buffer is
/// rented on the first chunk, so a session that never gets data holds none.
/// </summary>
internal sealed class WriteBehind : IDisposable
{
    public const int Capacity = 256 << 10;

    private byte[]? _buffer;
    private bool _disposed;
    private long _start;
    private int _length;

    /// <summary>Writes (or holds) <paramref name="bytes"/> at <paramref name="offset"/>; throws <see cref="IOException"/> from the disk.</summary>
    public void Write(IIncomingFile file, long offset, ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var buffer = _buffer ??= ArrayPool<byte>.Shared.Rent(Capacity);
        if (_length > 0 && offset == _start + _length && _length + bytes.Length <= buffer.Length)
        {
            bytes.CopyTo(buffer.AsSpan(_length));
            _length += bytes.Length;
            return;
        }
        Flush(file);
        if (bytes.Length * 2 > buffer.Length)
        {
            file.Write(offset, bytes);
            return;
        }
        bytes.CopyTo(buffer);
        _start = offset;
        _length = bytes.Length;
    }

    public void Flush(IIncomingFile file)
    {
        if (_length > 0 && _buffer is { } buffer)
        {
            int length = _length;
            _length = 0;
            file.Write(_start, buffer.AsSpan(0, length));
        }
    }

    public void Dispose()
    {
        _disposed = true;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
