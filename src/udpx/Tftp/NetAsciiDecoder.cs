namespace Udpx.Tftp;

/// <summary>
/// Writes netascii as a Unix file: CR LF becomes LF, CR NUL becomes CR, a CR before anything else is
/// kept as it is (a lenient reading of a peer that got it wrong). A CR at the end of one DATA block is
/// held until the next block says what it was.
/// </summary>
internal sealed class NetAsciiDecoder(Stream inner) : Stream
{
    private readonly byte[] _buffer = new byte[8192];
    private bool _carriageReturn;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> source)
    {
        int n = 0;
        foreach (byte b in source)
        {
            if (n >= _buffer.Length - 2)
            {
                inner.Write(_buffer.AsSpan(0, n));
                n = 0;
            }
            if (_carriageReturn)
            {
                _carriageReturn = false;
                if (b == '\n')
                {
                    _buffer[n++] = (byte)'\n';
                    continue;
                }
                _buffer[n++] = (byte)'\r';
                if (b == 0)
                {
                    continue;
                }
            }
            if (b == '\r')
            {
                _carriageReturn = true;
            }
            else
            {
                _buffer[n++] = b;
            }
        }
        inner.Write(_buffer.AsSpan(0, n));
    }

    /// <summary>Ends the text (the receiver flushes once, after the last block): a CR still held is written as it is, the file ended on it.</summary>
    public override void Flush()
    {
        if (_carriageReturn)
        {
            _carriageReturn = false;
            inner.WriteByte((byte)'\r');
        }
        inner.Flush();
    }

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
