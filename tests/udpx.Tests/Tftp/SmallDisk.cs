namespace Udpx.Tests.Tftp;

/// <summary>
/// A disk with room for <see cref="Room"/> bytes a file, for TftpFolder's temporary files: its streams buffer
/// as FileStream does and fail as FileStream does on a full disk, with ENOSPC and a message naming the
/// file's absolute path, from the write that drains the buffer, from Flush, and from Dispose, which still
/// closes the file (checked on .NET 10 against /dev/full).
/// </summary>
internal sealed class SmallDisk(long room)
{
    public const int BufferBytes = 512;

    private long _room = room;

    /// <summary>What each file may hold; raise it to free the disk.</summary>
    public long Room
    {
        get => Interlocked.Read(ref _room);
        set => Interlocked.Exchange(ref _room, value);
    }

    /// <summary>The stream of the last file opened.</summary>
    public FullDiskStream? Last { get; private set; }

    public Stream Open(string path, FileStreamOptions options)
    {
        options.BufferSize = 0;
        var stream = new FullDiskStream(this, path, new FileStream(path, options));
        Last = stream;
        return stream;
    }
}

/// <summary>One file of a <see cref="SmallDisk"/>.</summary>
internal sealed class FullDiskStream(SmallDisk disk, string path, FileStream inner) : Stream
{
    private readonly MemoryStream _pending = new();
    private long _written;

    /// <summary>The file's descriptor is closed.</summary>
    public bool Closed { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length => _written + _pending.Length;

    public override long Position
    {
        get => _written + _pending.Length;
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pending.Write(buffer);
        if (_pending.Length >= SmallDisk.BufferBytes)
        {
            Drain();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
        Drain();
        inner.Flush();
    }

    public override void SetLength(long value)
    {
        Drain();
        inner.SetLength(value);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !Closed)
        {
            // As FileStream: the last flush may throw, and the descriptor is closed all the same.
            try
            {
                Drain();
            }
            finally
            {
                inner.Dispose();
                Closed = true;
            }
        }
        base.Dispose(disposing);
    }

    /// <summary>The buffered bytes to the file, or ENOSPC (they stay buffered, as in FileStream).</summary>
    private void Drain()
    {
        if (_pending.Length == 0)
        {
            return;
        }
        if (_written + _pending.Length > disk.Room)
        {
            throw new IOException("No space left on device : '" + path + "'", 28);
        }
        inner.Write(_pending.GetBuffer().AsSpan(0, (int)_pending.Length));
        _written += _pending.Length;
        _pending.SetLength(0);
    }
}
