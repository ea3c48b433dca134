namespace Udpx.Tftp;

/// <summary>
/// One side of a TFTP transfer after the request, as a state machine without sockets or clocks: the
/// driver passes the time in, sends what <see cref="TryWrite"/> gives, feeds every packet from the peer's
/// transfer ID to <see cref="OnPacket"/>, and calls <see cref="OnTimer"/> when <see cref="Deadline"/> passes.
/// </summary>
internal interface ITftpTransfer
{
    TftpTransferState State { get; }

    /// <summary>When <see cref="OnTimer"/> must next be called (microseconds); <see cref="long.MaxValue"/> for never.</summary>
    long Deadline { get; }

    /// <summary>Why the transfer failed, for the user; empty otherwise.</summary>
    string Failure { get; }

    /// <summary>File bytes delivered so far (acknowledged by the receiver, or written by it).</summary>
    long Bytes { get; }

    TftpTransferCounters Counters { get; }

    /// <summary>The next packet to send, or 0 when nothing is due now.</summary>
    int TryWrite(Span<byte> buffer, long nowMicros);

    void OnPacket(ReadOnlySpan<byte> packet, long nowMicros);

    void OnTimer(long nowMicros);

    /// <summary>Ends a transfer still running from our side (the peer hears <paramref name="message"/> in an ERROR packet).</summary>
    void Abort(string message);

    /// <summary>
    /// The peer sent its request again (the listener saw it): it never got the server's OACK, which goes
    /// again at the next send. Safe from any thread; ignored once the OACK has been answered.
    /// </summary>
    void NoteRequestRepeated();
}

internal enum TftpTransferState
{
    /// <summary>Blocks are moving.</summary>
    Running,

    /// <summary>Every block is through; a receiver still answers a repeated last block until <see cref="ITftpTransfer.Deadline"/>.</summary>
    Lingering,

    /// <summary>Done: every byte delivered.</summary>
    Completed,

    /// <summary>Given up; <see cref="ITftpTransfer.Failure"/> says why (an ERROR packet went to the peer unless it sent one).</summary>
    Failed,
}

/// <summary>Figures of one TFTP transfer, owned by the thread that drives it.</summary>
internal sealed class TftpTransferCounters
{
    public long PacketsSent { get; set; }

    public long PacketsReceived { get; set; }

    /// <summary>DATA blocks sent again (sender) or repeated ACKs sent (receiver).</summary>
    public long Retransmitted { get; set; }

    /// <summary>DATA blocks that arrived twice or out of order (receiver).</summary>
    public long Duplicates { get; set; }

    public long Timeouts { get; set; }

    /// <summary>Blocks the congestion window allowed in flight at the last acknowledgement (sender).</summary>
    public int Window { get; set; }

    public long RttMicros { get; set; }
}
