namespace Udpx.Tftp;

/// <summary>The sender's timing: the retransmission timeout and its back-off, the pause between shares of a window, which ACKs are round-trip samples.</summary>
internal sealed partial class TftpBlockSender
{
    /// <summary>
    /// The retransmission timeout now (µs): from the round trip, backed off, up to the negotiated timeout;
    /// then doubled on each full-length timeout in a row, up to <see cref="MaxStallDoublings"/> times. A
    /// receiver that answers a repeated window once and then waits for a whole timeout of silence before it
    /// acknowledges again (atftp) hears nothing from a sender that repeats the window at its own timeout
    /// or sooner: its wait starts again at every packet, and both would wait on each other until the sender gave up.
    /// </summary>
    public long RetransmitMicros
    {
        get
        {
            if (_acked < 0)
            {
                return _options.TimeoutMicros;
            }
            long rto = _measured ? Math.Max(MinRetransmitMicros, _srttMicros + (4 * _rttVarMicros)) << _backoff : _options.TimeoutMicros;
            return rto < _options.TimeoutMicros ? rto : _options.TimeoutMicros << Math.Min(_retries, MaxStallDoublings);
        }
    }

    /// <summary>Doublings of the negotiated timeout while nothing is acknowledged: at most 8 timeouts between repeats (8 s by default).</summary>
    public const int MaxStallDoublings = 3;

    /// <summary>
    /// A repeated request this soon after the OACK went is the network's duplicate of the first, not the
    /// client's retransmission (clients wait a timeout of a second or more): it gets no second OACK.
    /// </summary>
    public const long MinRequestRepeatMicros = 250_000;

    public void NoteRequestRepeated() => Volatile.Write(ref _requestRepeated, 1);

    /// <summary>
    /// The pause before the next share of the window: a smoothed round trip and a quarter (at least 2 ms),
    /// but short enough that every share is out within half the retransmission timeout, which runs from the
    /// window's first block: a receiver that acknowledges only whole windows must see the window end.
    /// </summary>
    private long HoldMicros
    {
        get
        {
            long shares = (_options.WindowSize + _window.Blocks - 1) / _window.Blocks;
            return Math.Min(Math.Max(_srttMicros + (_srttMicros / 4), 2_000), RetransmitMicros / (2 * shares));
        }
    }

    /// <summary>
    /// Whether an ACK's delay is a round trip. An ACK of everything sent, when that was the whole window or
    /// ended with the last block, left the receiver as soon as the block arrived. Any other ACK may have
    /// waited for the receiver's own timeout (a window cut short by the congestion window, atftp's ACK
    /// after a second of silence): it counts only if it is short next to the negotiated timeout, so one
    /// such wait does not make every later lost ACK cost a second.
    /// </summary>
    private bool IsRoundTrip(long previousAcked, long sample)
    {
        bool whole = _acked == _highestSent && (_acked == Math.Max(previousAcked, 0) + _options.WindowSize || _acked == _last);
        return whole || sample < _options.TimeoutMicros / 4;
    }
}
