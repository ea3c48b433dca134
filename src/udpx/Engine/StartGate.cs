namespace Udpx.Engine;

/// <summary>
/// Holds a transfer after its handshake until the path is its to use, then lets it go with the window to
/// start from. A process-mode worker shakes hands while the worker before it still sends, and is let go
/// when that one has sent everything once (<see cref="TransferCounters.SentOnce"/>), so the hand-over
/// between two processes costs a line on a pipe rather than a process's start, a file's open and a
/// handshake. Honoured by the blocking driver, which the workers run.
/// </summary>
internal sealed class StartGate : IDisposable
{
    private readonly ManualResetEventSlim _opened = new();
    private int _initialWindow;
    private volatile bool _abandoned;

    /// <summary>True once let go to send; never for an abandoned gate, which the driver meets and gives up at.</summary>
    public bool IsOpen => _opened.IsSet && !_abandoned;

    /// <summary>The window the path's controller starts from once let go; 0: the one it has.</summary>
    public int InitialWindow => Volatile.Read(ref _initialWindow);

    /// <summary>Lets the transfer send, starting from <paramref name="initialWindow"/> (0: as it is).</summary>
    public void Open(int initialWindow)
    {
        Volatile.Write(ref _initialWindow, Math.Max(0, initialWindow));
        _opened.Set();
    }

    /// <summary>The transfer will never be let go (its parent is gone): it gives up.</summary>
    public void Abandon()
    {
        _abandoned = true;
        _opened.Set();
    }

    /// <summary>
    /// How long the transfer waited at the gate: no part of its time (a transfer's seconds, and the delivery rate
    /// the next one starts from, count only the time it had the path).
    /// </summary>
    public TimeSpan Held { get; private set; }

    /// <summary>Waits to be let go; false when abandoned or cancelled.</summary>
    public bool Wait(CancellationToken cancellationToken)
    {
        long from = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            _opened.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            Held = System.Diagnostics.Stopwatch.GetElapsedTime(from);
        }
        return !_abandoned;
    }

    public void Dispose() => _opened.Dispose();
}
