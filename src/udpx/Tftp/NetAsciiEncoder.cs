namespace Udpx.Tftp;

/// <summary>
/// Reads a file as netascii (RFC 764, as RFC 1350 asks): every LF becomes CR LF, every CR that is not
/// part of a line end becomes CR NUL. The file is taken to use Unix line ends, so a CR LF already in it
/// goes out as CR NUL CR LF and comes back byte for byte through <see cref="NetAsciiDecoder"/>.
/// </summary>
internal sealed class NetAsciiEncoder(Stream inner) : Stream
{
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;
    private int _pending = -1;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>The size of <paramref name="file"/> once encoded: its length plus one byte per CR and per LF.</summary>
    public static long EncodedLength(Stream file)
    {
        var buffer = new byte[65536];
        long total = 0;
        int n;
        while ((n = file.Read(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, n);
            total += n + span.Count((byte)'\n') + span.Count((byte)'\r');
        }
        return total;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        int written = 0;
        while (written < destination.Length)
        {
            if (_pending >= 0)
            {
                destination[written++] = (byte)_pending;
                _pending = -1;
                continue;
            }
            if (_start == _end)
            {
                _start = 0;
                _end = inner.Read(_buffer);
                if (_end == 0)
                {
                    break;
                }
            }
            byte b = _buffer[_start++];
            switch (b)
            {
                case (byte)'\n':
                    destination[written++] = (byte)'\r';
                    _pending = '\n';
                    break;
                case (byte)'\r':
                    destination[written++] = (byte)'\r';
                    _pending = 0;
                    break;
                default:
                    destination[written++] = b;
                    break;
            }
        }
        return written;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
