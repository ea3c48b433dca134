namespace Udpx.Server;

/// <summary>
/// The stream a TFTP write goes into (serve --tftp-write): it looks at the free space of the filesystem
/// before the first byte and again after every MiB, and refuses (an <see cref="IOException"/>, which the
/// receiver answers with error 3 and a discarded file) to write into the --min-free reserve. A write
/// that announced its size (tsize) was checked against the reserve before it began; one that did not
/// is stopped here, at most a MiB past the line.
/// </summary>
internal sealed class DiskReserveStream(Stream inner, string directory, DiskReserve reserve) : Stream
{
    /// <summary>What the peer hears: the same words as a refused udpx offer, never how much is free.</summary>
    public const string NoRoom = "file too large for this server";

    private const long CheckEvery = 1 << 20;
    private long _sinceCheck = CheckEvery;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_sinceCheck >= CheckEvery)
        {
            if (DiskSpace.Of(directory) is { } space && space.Available - buffer.Length < reserve.For(space.Total))
            {
                throw new IOException(NoRoom);
            }
            _sinceCheck = 0;
        }
        inner.Write(buffer);
        _sinceCheck += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
