using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>
/// A model of atftp 0.8.0's client writing a file with options (tftp_file.c, tftp_send_file, as its source
/// reads), to hold our receiver to the sender it meets most. It sends a window of blocks one after the
/// other, looking between two blocks for one packet that has arrived; any ACK, old or new, sets its
/// position to that block and starts a new window after it. After windowsize blocks since the last ACK
/// (or after the last block) it waits one whole timeout; when that passes in silence it does not repeat
/// the window but sends the block after the last one it sent (the last block again, once it has sent it).
/// Five timeouts in a row and it aborts. Its WRQ is taken as sent when it starts; until the OACK comes it
/// repeats the WRQ at each timeout. <paramref name="blockIntervalMicros"/> is the time it takes between
/// two blocks of a window (a loaded machine: a receiver's short ACK delay then fires mid-window).
/// </summary>
internal sealed class AtftpSendModel(byte[] file, int blockSize, int windowSize, long timeoutMicros, long blockIntervalMicros) : ITftpTransfer
{
    private const int Retries = 5;

    private readonly byte[] _reply = new byte[TftpTransferOptions.MaxBlockSize + 4];
    private int _replyLength;
    private bool _replyDue;
    private bool _optionsAgreed;
    private bool _sending;
    private long _blockNumber;
    private long _lastBlock = -1;
    private int _windowBlock;
    private int _timeouts;
    private long _nextSendAt;
    private long _waitUntil;
    private string _failure = string.Empty;

    public TftpTransferState State { get; private set; } = TftpTransferState.Running;

    /// <summary>When the final ACK reached it (virtual µs).</summary>
    public long CompletedAt { get; private set; }

    /// <summary>Its WRQ went at time 0: it waits one timeout for the OACK.</summary>
    public long Deadline => State != TftpTransferState.Running ? long.MaxValue
        : _replyDue ? 0
        : _sending ? _nextSendAt
        : _waitUntil == 0 ? timeoutMicros : _waitUntil;

    public string Failure => _failure;

    public long Bytes => file.Length;

    public TftpTransferCounters Counters { get; } = new();

    public int TryWrite(Span<byte> buffer, long nowMicros)
    {
        if (State != TftpTransferState.Running)
        {
            return 0;
        }
        if (_replyDue)
        {
            _replyDue = false;
            Counters.PacketsSent++;
            _reply.AsSpan(0, _replyLength).CopyTo(buffer);
            return _replyLength;
        }
        if (!_sending || nowMicros < _nextSendAt)
        {
            return 0;
        }
        int n = SendData(buffer);
        _nextSendAt = nowMicros + blockIntervalMicros;
        if (_windowBlock >= windowSize || _blockNumber == 0 || _lastBlock != -1)
        {
            _windowBlock = 0;
            _sending = false;
            _waitUntil = nowMicros + timeoutMicros;
        }
        return n;
    }

    public void OnPacket(ReadOnlySpan<byte> packet, long nowMicros)
    {
        if (State != TftpTransferState.Running)
        {
            return;
        }
        Counters.PacketsReceived++;
        TftpCodec.TryReadOpcode(packet, out var opcode);
        switch (opcode)
        {
            case TftpOpcode.OptionAck:
                _timeouts = 0;
                _optionsAgreed = true;
                StartSending(nowMicros);
                break;
            case TftpOpcode.Ack when TftpCodec.TryReadBlock(packet, out ushort block):
                OnAck(block, nowMicros);
                break;
            case TftpOpcode.Error:
                _failure = "tftp: error received from server";
                State = TftpTransferState.Failed;
                break;
            default:
                break;
        }
    }

    public void OnTimer(long nowMicros)
    {
        if (State != TftpTransferState.Running || _sending || nowMicros < Deadline)
        {
            return;
        }
        Counters.Timeouts++;
        if (++_timeouts > Retries)
        {
            _failure = "tftp: aborting after " + Retries + " timeouts";
            State = TftpTransferState.Failed;
            return;
        }
        if (!_optionsAgreed)
        {
            _replyLength = TftpCodec.WriteRequest(_reply, TftpOpcode.WriteRequest, "f.bin", TftpMode.Octet, []);
            _replyDue = true;
            _waitUntil = nowMicros + timeoutMicros;
            return;
        }
        Counters.Retransmitted++;
        StartSending(nowMicros);
    }

    public void Abort(string message)
    {
        _failure = message;
        State = TftpTransferState.Failed;
    }

    public void NoteRequestRepeated()
    {
    }

    private void OnAck(ushort block, long nowMicros)
    {
        _timeouts = 0;
        _windowBlock = 0;
        _blockNumber = block;
        if (_blockNumber < _lastBlock)
        {
            _lastBlock = -1;
        }
        if (_lastBlock != -1 && _blockNumber > _lastBlock)
        {
            State = TftpTransferState.Completed;
            CompletedAt = nowMicros;
            return;
        }
        StartSending(nowMicros);
    }

    private void StartSending(long nowMicros)
    {
        _sending = true;
        _nextSendAt = Math.Max(_nextSendAt, nowMicros);
    }

    /// <summary>Block <c>_blockNumber + 1</c>, read at its offset; at the end of the file the position stays.</summary>
    private int SendData(Span<byte> buffer)
    {
        long offset = _blockNumber * blockSize;
        int length = (int)Math.Clamp(file.Length - offset, 0, blockSize);
        Counters.PacketsSent++;
        int n = TftpCodec.WriteData(buffer, (ushort)(_blockNumber + 1), file.AsSpan((int)Math.Min(offset, file.Length), length));
        _windowBlock++;
        if (length < blockSize)
        {
            _lastBlock = _blockNumber;
        }
        else
        {
            _blockNumber++;
        }
        return n;
    }
}
