using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>
/// A model of atftp 0.8.0's client fetching a file with options (tftp_file.c, tftp_receive_file, as its
/// source reads), to hold our sender to the receiver it meets most: it acknowledges a window only when
/// windowsize blocks in order have come since its last ACK (or the last block), answers a block out of
/// order with one extra ACK and then ignores every further one until a block in order or its timeout,
/// and times out only after a whole timeout of silence: every packet that arrives, ignored or not,
/// starts its wait again. A second OACK aborts it. Its RRQ is taken as sent when it starts; until an
/// OACK comes it repeats the RRQ at each timeout.
/// </summary>
internal sealed class AtftpReceiveModel(int blockSize, int windowSize, long timeoutMicros) : ITftpTransfer
{
    private const int Retries = 5;

    private readonly List<byte> _file = [];
    private readonly byte[] _reply = new byte[64];
    private int _replyLength;
    private bool _replyDue;
    private bool _endAfterReply;
    private long _lastReceived;
    private long _lastBlock = -1;
    private int _windowBlock;
    private int _extraAcks;
    private int _timeouts;
    private int _oacks;
    private readonly long _timeout = timeoutMicros;
    private long _waitUntil = timeoutMicros;
    private string _failure = string.Empty;

    public byte[] File => [.. _file];

    public TftpTransferState State { get; private set; } = TftpTransferState.Running;

    public long Deadline => State == TftpTransferState.Running ? _waitUntil : long.MaxValue;

    public string Failure => _failure;

    public long Bytes => _file.Count;

    public TftpTransferCounters Counters { get; } = new();

    public int TryWrite(Span<byte> buffer, long nowMicros)
    {
        if (!_replyDue)
        {
            return 0;
        }
        _replyDue = false;
        Counters.PacketsSent++;
        _reply.AsSpan(0, _replyLength).CopyTo(buffer);
        if (_endAfterReply)
        {
            State = _failure.Length > 0 ? TftpTransferState.Failed : TftpTransferState.Completed;
        }
        return _replyLength;
    }

    public void OnPacket(ReadOnlySpan<byte> packet, long nowMicros)
    {
        if (State != TftpTransferState.Running)
        {
            return;
        }
        Counters.PacketsReceived++;
        _waitUntil = nowMicros + _timeout;
        TftpCodec.TryReadOpcode(packet, out var opcode);
        switch (opcode)
        {
            case TftpOpcode.OptionAck when ++_oacks > 1:
                End("tftp: unexpected OACK", error: true);
                break;
            case TftpOpcode.OptionAck:
                SendAck();
                break;
            case TftpOpcode.Data when TftpCodec.TryReadBlock(packet, out ushort block):
                OnData(block, packet[4..]);
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
        if (State != TftpTransferState.Running || nowMicros < _waitUntil)
        {
            return;
        }
        Counters.Timeouts++;
        _extraAcks = 0;
        if (++_timeouts > Retries)
        {
            _failure = "tftp: aborting after " + Retries + " timeouts";
            State = TftpTransferState.Failed;
            return;
        }
        _waitUntil = nowMicros + _timeout;
        if (_oacks == 0)
        {
            _replyLength = TftpCodec.WriteRequest(_reply, TftpOpcode.ReadRequest, "f.bin", TftpMode.Octet, []);
            _replyDue = true;
            return;
        }
        SendAck();
    }

    public void Abort(string message) => End(message, error: true);

    public void NoteRequestRepeated()
    {
    }

    private void OnData(ushort block, ReadOnlySpan<byte> payload)
    {
        _timeouts = 0;
        if (block != _lastReceived + 1)
        {
            Counters.Duplicates++;
            if (_extraAcks < 1)
            {
                _extraAcks++;
                Counters.Retransmitted++;
                SendAck();
            }
            return;
        }
        _extraAcks = 0;
        _windowBlock++;
        _lastReceived = block;
        _file.AddRange(payload);
        if (payload.Length < blockSize)
        {
            _lastBlock = block;
        }
        if (_windowBlock >= windowSize || _lastBlock != -1)
        {
            SendAck();
            _endAfterReply = block == _lastBlock;
        }
    }

    private void SendAck()
    {
        _windowBlock = 0;
        _replyLength = TftpCodec.WriteAck(_reply, (ushort)_lastReceived);
        _replyDue = true;
    }

    private void End(string failure, bool error)
    {
        _failure = failure;
        if (error)
        {
            _replyLength = TftpCodec.WriteError(_reply, TftpError.NotDefined, failure);
            _replyDue = true;
            _endAfterReply = true;
        }
    }
}
