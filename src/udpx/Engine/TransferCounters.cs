namespace Udpx.Engine;

/// <summary>
/// Live figures of one transfer. Written by the thread that runs the transfer, read by anyone through
/// <see cref="Snapshot"/> at their own pace.
/// </summary>
internal sealed class TransferCounters
{
    private long _datagramsSent;
    private long _bytesSent;
    private long _retransmitted;
    private long _bytesAcked;
    private long _acksReceived;
    private long _rttMicros;
    private long _window;
    private int _phase;
    private int _sentOnce;

    /// <summary>
    /// Raised once, on the sending thread, when every chunk has gone out at least once: what is left is the
    /// last acknowledgements, any retransmissions and the server's verification. The process modes hand the
    /// path to the next worker then.
    /// </summary>
    public event Action? SentOnce;

    /// <summary>True once every chunk has gone out at least once.</summary>
    public bool HasSentOnce => Volatile.Read(ref _sentOnce) != 0;

    /// <summary>Notes that every chunk has gone out once; raises <see cref="SentOnce"/> the first time.</summary>
    public void MarkSentOnce()
    {
        if (Interlocked.Exchange(ref _sentOnce, 1) == 0)
        {
            SentOnce?.Invoke();
        }
    }

    public void AddSent(int bytes, bool retransmission)
    {
        Volatile.Write(ref _datagramsSent, _datagramsSent + 1);
        Volatile.Write(ref _bytesSent, _bytesSent + bytes);
        if (retransmission)
        {
            Volatile.Write(ref _retransmitted, _retransmitted + 1);
        }
    }

    public void AddAck(long bytesAcked, long rttMicros, int window)
    {
        Volatile.Write(ref _acksReceived, _acksReceived + 1);
        Volatile.Write(ref _bytesAcked, bytesAcked);
        Volatile.Write(ref _rttMicros, rttMicros);
        Volatile.Write(ref _window, window);
    }

    /// <summary>Takes figures reported by another process (the process modes' workers).</summary>
    public void Apply(in TransferSnapshot s)
    {
        Volatile.Write(ref _datagramsSent, s.DatagramsSent);
        Volatile.Write(ref _bytesSent, s.BytesSent);
        Volatile.Write(ref _retransmitted, s.Retransmitted);
        Volatile.Write(ref _bytesAcked, s.BytesAcked);
        Volatile.Write(ref _acksReceived, s.AcksReceived);
        Volatile.Write(ref _rttMicros, s.RttMicros);
        Volatile.Write(ref _window, s.Window);
        SetPhase(s.Phase);
    }

    public void SetPhase(TransferPhase phase) => Volatile.Write(ref _phase, (int)phase);

    public TransferPhase Phase => (TransferPhase)Volatile.Read(ref _phase);

    public TransferSnapshot Snapshot() => new(
        Volatile.Read(ref _datagramsSent),
        Volatile.Read(ref _bytesSent),
        Volatile.Read(ref _retransmitted),
        Volatile.Read(ref _bytesAcked),
        Volatile.Read(ref _acksReceived),
        Volatile.Read(ref _rttMicros),
        (int)Volatile.Read(ref _window),
        Phase);
}

internal readonly record struct TransferSnapshot(
    long DatagramsSent,
    long BytesSent,
    long Retransmitted,
    long BytesAcked,
    long AcksReceived,
    long RttMicros,
    int Window,
    TransferPhase Phase);

internal enum TransferPhase
{
    Pending,
    Connecting,
    Offering,
    Sending,
    Finishing,
    Done,
    Failed,
}
