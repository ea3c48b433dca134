using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Udpx.Cli;

/// <summary>
/// Console.Out that survives its own failure. .NET swallows a broken pipe but throws a full disk or a failing
/// device (ENOSPC, EIO) from every write, on whichever thread printed: a server's observer then ended the
/// process with a stack trace. The first failure is kept and reported once; every later line is dropped
/// unwritten, so the transfers and sessions behind the output go on.
/// </summary>
internal sealed class StandardOutputGuard : TextWriter
{
    private readonly TextWriter _inner;
    private readonly Action<IOException>? _onFirstFailure;
    private IOException? _failure;

    /// <param name="inner">The writer to guard (Console.Out as .NET made it).</param>
    /// <param name="onFirstFailure">Called once, on the thread that met the first failure.</param>
    public StandardOutputGuard(TextWriter inner, Action<IOException>? onFirstFailure = null)
    {
        _inner = inner;
        _onFirstFailure = onFirstFailure;
    }

    /// <summary>The first write or flush that failed, or null while output works.</summary>
    public IOException? Failure => Volatile.Read(ref _failure);

    public override Encoding Encoding => _inner.Encoding;

    public override IFormatProvider FormatProvider => _inner.FormatProvider;

    [AllowNull]
    public override string NewLine
    {
        get => _inner.NewLine;
        set => _inner.NewLine = value;
    }

    public override void Write(char value)
    {
        if (Failure is null)
        {
            try
            {
                _inner.Write(value);
            }
            catch (IOException ex)
            {
                Fail(ex);
            }
        }
    }

    public override void Write(string? value)
    {
        if (Failure is null)
        {
            try
            {
                _inner.Write(value);
            }
            catch (IOException ex)
            {
                Fail(ex);
            }
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        if (Failure is null)
        {
            try
            {
                _inner.Write(buffer, index, count);
            }
            catch (IOException ex)
            {
                Fail(ex);
            }
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        if (Failure is null)
        {
            try
            {
                _inner.Write(buffer);
            }
            catch (IOException ex)
            {
                Fail(ex);
            }
        }
    }

    // Whole lines go to the inner writer in one call, so a line is not split into a text and a newline write.
    public override void WriteLine()
    {
        if (Failure is null)
        {
            try
            {
                _inner.WriteLine();
            }
            catch (IOException ex)
            {
                Fail(ex);
            }
        }
    }

    public override void WriteLine(string? value)
    {
        if (Failure is null)
        {
            try
            {
                _inner.WriteLine(value);
            }
            catch (IOException ex)
            {
                Fail(ex);
            }
        }
    }

    public override void WriteLine(ReadOnlySpan<char> buffer)
    {
        if (Failure is null)
        {
            try
            {
                _inner.WriteLine(buffer);
            }
            catch (IOException ex)
            {
                Fail(ex);
            }
        }
    }

    public override void Flush()
    {
        if (Failure is null)
        {
            try
            {
                _inner.Flush();
            }
            catch (IOException ex)
            {
                Fail(ex);
            }
        }
    }

    private void Fail(IOException ex)
    {
        if (Interlocked.CompareExchange(ref _failure, ex, null) is null)
        {
            _onFirstFailure?.Invoke(ex);
        }
    }
}
