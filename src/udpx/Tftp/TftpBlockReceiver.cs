namespace Udpx.Tftp;

/// <summary>
/// The receiving side of a TFTP transfer (a server answering WRQ, a client after RRQ): DATA blocks in
/// order into a stream, an ACK after each window (RFC 7440; every block in lockstep), after the short
/// last block, when the sender pauses mid-window (a short delay: a sender whose congestion window
/// is smaller than the windowsize is not left waiting for our timeout), and at once, once, for a block
/// out of order (acknowledging the last one in order, RFC 7440's request to go back). On the timeout
/// the last ACK is sent again, each repeat in a row waiting twice as long as the one before, up to eight
/// timeouts (the server's OACK goes again only for a repeated request). After the last block it lingers for three
/// timeouts to answer a repeated last block (our final ACK was lost), then completes.
/// </summary>
internal sealed class TftpBlockReceiver : ITftpTransfer
{
    /// <summary>A window not complete after this much silence is acknowledged as far as it got.</summary>
    public const long AckDelayMicros = 2_000;

    /// <summary>An ACK for a block out of order is not repeated sooner than this after a repeat (a window of them arrives at once).</summary>
    public const long RepeatAckSpacingMicros = 20_000;

    private readonly Stream _sink;
    private readonly TftpTransferOptions _options;
    private readonly int _maxRetries;
    private readonly long _maxBytes;
    private readonly byte[] _reply = new byte[TftpCodec.MaxRequestBytes];
    private TftpFailure _failure;
    private long _received;
    private long _bytes;
    private int _replyLength;
    private bool _replyDue;
    private int _sinceAck;
    private long _lastAckAt = long.MinValue / 2;
    private long _lastAckBlock = -1;
    private bool _lastAckRepeated;
    private long _ackAt = long.MaxValue;
    private long _timeoutAt;
    private int _retries;
    private int _requestRepeated;
    private long _firstReplyAt;
    private readonly bool _linger;
    private readonly Func<TftpRefusal?>? _complete;
    private readonly Func<IOException, TftpRefusal>? _writeFailed;

    /// <param name="firstReply">What the peer must see first and again on each timeout until block 1 arrives: the server's OACK or ACK 0, a client's ACK 0 after an OACK; empty for a client whose RRQ was answered with DATA 1.</param>
    /// <param name="linger">Stay after the last block to repeat the final ACK (a server); a client completes at once.</param>
    /// <param name="complete">Called after the last block is written and before it is acknowledged: the server's commit under the final name; a refusal fails the transfer.</param>
    /// <param name="writeFailed">What the peer hears when the sink throws (the server's fixed texts); without it, "cannot store the file: " and the exception's message (a client's own file).</param>
    public TftpBlockReceiver(Stream sink, TftpTransferOptions options, int maxRetries, long maxBytes, ReadOnlySpan<byte> firstReply, long nowMicros, bool linger = true, Func<TftpRefusal?>? complete = null, Func<IOException, TftpRefusal>? writeFailed = null)
    {
        _complete = complete;
        _writeFailed = writeFailed;
        _linger = linger;
        _sink = sink;
        _options = options;
        _maxRetries = maxRetries;
        _maxBytes = maxBytes;
        firstReply.CopyTo(_reply);
        _replyLength = firstReply.Length;
        _replyDue = firstReply.Length > 0;
        _timeoutAt = nowMicros + RepeatMicros;
    }

    /// <summary>How long to wait before the last reply goes again (and a timeout counts towards giving up).</summary>
    private long RepeatMicros => _options.TimeoutMicros;

    /// <summary>
    /// The server's OACK, still unanswered: it goes again only when the client repeats its request
    /// (<see cref="NoteRequestRepeated"/>), never on the timer. A client that got it and lost its DATA 1
    /// repeats that; a second OACK makes atftp abort and curl 7.88 start its upload again at block 1
    /// with the wrong bytes.
    /// </summary>
    private bool AwaitingOptionAnswer => _received == 0 && _replyLength > 1 && _reply[1] == (byte)TftpOpcode.OptionAck;

    public void NoteRequestRepeated() => Volatile.Write(ref _requestRepeated, 1);

    public TftpTransferState State { get; private set; } = TftpTransferState.Running;

    public long Deadline => State is TftpTransferState.Running or TftpTransferState.Lingering ? Math.Min(_timeoutAt, _ackAt) : long.MaxValue;

    public string Failure => _failure.Message ?? string.Empty;

    public long Bytes => _bytes;

    public TftpTransferCounters Counters { get; } = new();

    public int TryWrite(Span<byte> buffer, long nowMicros)
    {
        if (State == TftpTransferState.Failed)
        {
            return _failure.TryWriteError(buffer);
        }
        if (AwaitingOptionAnswer && Interlocked.Exchange(ref _requestRepeated, 0) == 1
            && nowMicros - _firstReplyAt >= TftpBlockSender.MinRequestRepeatMicros && !_replyDue)
        {
            _replyDue = true;
            Counters.Retransmitted++;
        }
        if (!_replyDue)
        {
            return 0;
        }
        if (AwaitingOptionAnswer)
        {
            _firstReplyAt = nowMicros;
        }
        _replyDue = false;
        Counters.PacketsSent++;
        _reply.AsSpan(0, _replyLength).CopyTo(buffer);
        return _replyLength;
    }

    public void OnPacket(ReadOnlySpan<byte> packet, long nowMicros)
    {
        Counters.PacketsReceived++;
        if (!TftpCodec.TryReadOpcode(packet, out var opcode))
        {
            Fail(TftpError.IllegalOperation, "illegal TFTP operation (unknown opcode)");
            return;
        }
        switch (opcode)
        {
            case TftpOpcode.Data when TftpCodec.TryReadBlock(packet, out ushort block):
                OnData(block, packet[4..], nowMicros);
                break;
            case TftpOpcode.OptionAck:
                // The server sent its OACK again: our ACK 0 was lost. Answer with it again; later it is only a stray.
                if (_received == 0 && _replyLength > 0 && State == TftpTransferState.Running)
                {
                    _replyDue = true;
                    Counters.Retransmitted++;
                }
                break;
            case TftpOpcode.Error:
                if (State == TftpTransferState.Running)
                {
                    _failure.FromPeer(packet);
                    State = TftpTransferState.Failed;
                }
                break;
            default:
                if (State == TftpTransferState.Running)
                {
                    Fail(TftpError.IllegalOperation, "illegal TFTP operation: expected DATA, got opcode " + (int)opcode);
                }
                break;
        }
    }

    public void OnTimer(long nowMicros)
    {
        if (nowMicros >= _ackAt)
        {
            Acknowledge(nowMicros);
        }
        if (nowMicros < _timeoutAt)
        {
            return;
        }
        if (State == TftpTransferState.Lingering)
        {
            State = TftpTransferState.Completed;
            return;
        }
        if (State != TftpTransferState.Running)
        {
            return;
        }
        Counters.Timeouts++;
        if (++_retries > _maxRetries)
        {
            Fail(TftpError.NotDefined, "timed out: no data after " + _maxRetries + " repeated acknowledgements");
            return;
        }
        if (_replyLength > 0 && !AwaitingOptionAnswer)
        {
            _replyDue = true;
            Counters.Retransmitted++;
        }
        // Each repeat in a row waits twice as long, up to eight timeouts (1, 2, 4, 8, 8 ... s by default), as the
        // sender's do: a sender whose own timer restarts at every packet it gets, and whose timeout is ours,
        // would otherwise never time out and send again. tftp-hpa's client re-arms its alarm at every ACK it
        // ignores: with our ACK 13 repeated every second it never resent its lost DATA 14, and both waited
        // until we gave up (1 put in 25 at 10% loss both ways, 13 s lost and the file refused).
        _timeoutAt = nowMicros + (RepeatMicros << Math.Min(TftpBlockSender.MaxStallDoublings, _retries));
    }

    private void OnData(ushort block, ReadOnlySpan<byte> payload, long nowMicros)
    {
        if (State == TftpTransferState.Running && block == (ushort)(_received + 1))
        {
            Accept(payload, nowMicros);
            return;
        }
        if (State is not (TftpTransferState.Running or TftpTransferState.Lingering))
        {
            return;
        }
        // A repeat (our ACK was lost) or a block after a gap: acknowledge the last block in order, once
        // for a run of them, so that the sender goes back to the block after it.
        Counters.Duplicates++;
        if (State == TftpTransferState.Lingering)
        {
            _timeoutAt = nowMicros + LingerMicros;
        }
        // Only a repeat holds back the next repeat: the ACK of a window that has just gone told the sender nothing of
        // this gap, and atftp, told nothing, waits out a whole timeout (1 s) before it sends again.
        if (!_lastAckRepeated || _lastAckBlock != _received || nowMicros - _lastAckAt >= RepeatAckSpacingMicros)
        {
            Counters.Retransmitted++;
            Acknowledge(nowMicros);
            _lastAckRepeated = true;
        }
    }

    private void Accept(ReadOnlySpan<byte> payload, long nowMicros)
    {
        if (payload.Length > _options.BlockSize)
        {
            Fail(TftpError.IllegalOperation, "DATA block of " + payload.Length + " bytes, more than the blksize of " + _options.BlockSize);
            return;
        }
        if (_bytes + payload.Length > _maxBytes)
        {
            Fail(TftpError.DiskFull, "file too large for this server");
            return;
        }
        try
        {
            _sink.Write(payload);
        }
        catch (IOException ex)
        {
            FailWriting(ex);
            return;
        }
        _received++;
        _bytes += payload.Length;
        _sinceAck++;
        _retries = 0;
        _timeoutAt = nowMicros + _options.TimeoutMicros;
        if (payload.Length < _options.BlockSize)
        {
            try
            {
                _sink.Flush();
            }
            catch (IOException ex)
            {
                FailWriting(ex);
                return;
            }
            if (_complete?.Invoke() is { } refusal)
            {
                Fail(refusal.Code, refusal.Message);
                return;
            }
            State = _linger ? TftpTransferState.Lingering : TftpTransferState.Completed;
            _timeoutAt = nowMicros + LingerMicros;
            Acknowledge(nowMicros);
            return;
        }
        if (_sinceAck >= _options.WindowSize)
        {
            Acknowledge(nowMicros);
        }
        else
        {
            _ackAt = nowMicros + AckDelayMicros;
        }
    }

    /// <summary>Three timeouts: a sender that lost our final ACK repeats its last block within one, maybe two.</summary>
    private long LingerMicros => 3 * _options.TimeoutMicros;

    private void Acknowledge(long nowMicros)
    {
        _replyLength = TftpCodec.WriteAck(_reply, (ushort)_received);
        _replyDue = true;
        _sinceAck = 0;
        _lastAckAt = nowMicros;
        _lastAckBlock = _received;
        _lastAckRepeated = false;
        _ackAt = long.MaxValue;
    }

    public void Abort(string message)
    {
        if (State == TftpTransferState.Lingering)
        {
            State = TftpTransferState.Completed;
        }
        else if (State == TftpTransferState.Running)
        {
            Fail(TftpError.NotDefined, message);
        }
    }

    private void FailWriting(IOException error)
    {
        var refusal = _writeFailed?.Invoke(error) ?? new TftpRefusal(TftpError.DiskFull, "cannot store the file: " + error.Message);
        Fail(refusal.Code, refusal.Message);
    }

    private void Fail(TftpError code, string message)
    {
        _failure.Local(code, message);
        State = TftpTransferState.Failed;
    }
}
