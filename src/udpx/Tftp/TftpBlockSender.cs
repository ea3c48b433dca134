namespace Udpx.Tftp;

/// <summary>
/// The sending side of a TFTP transfer (a server answering RRQ, a client after WRQ): DATA blocks from a
/// stream, up to the congestion window (<see cref="TftpCongestionWindow"/>, within the negotiated
/// windowsize) unacknowledged, retransmitted from the first unacknowledged block on a timeout or when
/// the receiver acknowledges an earlier block than was sent (RFC 7440). The timeout follows the
/// measured round trip (RFC 6298's srtt + 4 rttvar, at least 20 ms, doubled on each timeout in a row)
/// once there is a sample, up to the negotiated one, so a lost ACK costs milliseconds rather than a
/// second; past it each further timeout doubles the wait (<see cref="RetransmitMicros"/>), and only
/// these full-length timeouts count towards giving up. The server's OACK goes again only when the client
/// repeats its request (<see cref="NoteRequestRepeated"/>): a client that got it and lost its ACK 0
/// repeats the ACK, and a second OACK makes atftp abort and curl restart an upload with the wrong bytes.
/// Blocks are
/// counted in 64 bits and go on the wire as their low 16 bits, so block 65536 is sent as 0 again
/// (rollover, as tftp-hpa, atftp and curl do): files of any size. A repeated ACK in lockstep
/// (windowsize 1) is ignored, never answered with a retransmission (the Sorcerer's Apprentice bug,
/// RFC 1123 4.2.3.1). An optional first packet (the server's OACK) counts as block 0.
/// </summary>
internal sealed partial class TftpBlockSender : ITftpTransfer
{
    private readonly Stream _source;
    private readonly TftpTransferOptions _options;
    private readonly int _maxRetries;
    private readonly TftpCongestionWindow _window;
    private readonly byte[] _ring;
    private readonly int[] _lengths;
    private readonly long[] _sentAt;
    private readonly byte[]? _preamble;
    private TftpFailure _failure;
    private long _acked;
    private long _next;
    private long _highestSent;
    private long _read;
    private long _last = -1;
    private long _allowance;
    private long _holdUntil = long.MaxValue;
    private long _retransmitAt = long.MaxValue;
    private long _rewoundFor = -1;
    private int _retries;
    private int _requestRepeated;
    private long _preambleSentAt = long.MinValue / 2;
    private long _srttMicros = 10_000;
    private long _rttVarMicros = 5_000;
    private int _backoff;
    private bool _measured;
    private long _bytesAcked;

    /// <summary>
    /// The failure when the whole file went out and the acknowledgement of its last block never came: the receiver's final ACK is the one packet
    /// TFTP never repeats by itself (RFC 1350 6: the acknowledging side may end at once; tftpd-hpa waits
    /// for a repeated last block, atftpd does not), so the file may be stored whole or not.
    /// </summary>
    public const string UnconfirmedLastBlock = "every block was sent, the last never acknowledged";

    /// <summary>What the peer hears when the file cannot be read: never the exception's message, which names its absolute path.</summary>
    public const string CannotRead = "cannot read the file";

    /// <summary>The shortest retransmission timeout: above a LAN's round trip and a receiver's ACK delay, far below TFTP's second.</summary>
    public const long MinRetransmitMicros = 20_000;

    /// <param name="preamble">The OACK to send first, acknowledged by ACK 0; null when the receiver already acknowledged block 0.</param>
    public TftpBlockSender(Stream source, TftpTransferOptions options, int maxRetries, byte[]? preamble = null)
    {
        _source = source;
        _options = options;
        _maxRetries = maxRetries;
        _window = new TftpCongestionWindow(options.WindowSize);
        _ring = new byte[options.BlockSize * options.WindowSize];
        _lengths = new int[options.WindowSize];
        _sentAt = new long[options.WindowSize];
        _preamble = preamble;
        _acked = preamble is null ? 0 : -1;
        _next = _acked + 1;
        _highestSent = _acked;
        _read = 0;
        _allowance = _acked + _window.Blocks;
    }

    public TftpTransferState State { get; private set; } = TftpTransferState.Running;

    public long Deadline => Math.Min(_retransmitAt, _holdUntil);

    public string Failure => _failure.Message ?? string.Empty;

    public long Bytes => _bytesAcked;

    public TftpTransferCounters Counters { get; } = new();

    /// <summary>The congestion window now, in blocks.</summary>
    public int WindowBlocks => _window.Blocks;

    public int TryWrite(Span<byte> buffer, long nowMicros)
    {
        if (State == TftpTransferState.Failed)
        {
            return _failure.TryWriteError(buffer);
        }
        if (State != TftpTransferState.Running)
        {
            return 0;
        }
        if (_acked < 0 && Interlocked.Exchange(ref _requestRepeated, 0) == 1 && nowMicros - _preambleSentAt >= MinRequestRepeatMicros)
        {
            _next = 0;
        }
        if (!MaySend(nowMicros))
        {
            return 0;
        }
        int length;
        if (_next == 0)
        {
            var preamble = _preamble!;
            preamble.CopyTo(buffer);
            length = preamble.Length;
            _preambleSentAt = nowMicros;
        }
        else
        {
            if (_next > _read && !ReadBlock(_next))
            {
                return _failure.TryWriteError(buffer);
            }
            int slot = (int)(_next % _options.WindowSize);
            length = TftpCodec.WriteData(buffer, (ushort)_next, _ring.AsSpan(slot * _options.BlockSize, _lengths[slot]));
            // Karn: an ACK of a block sent more than once is no round-trip sample.
            _sentAt[slot] = _next <= _highestSent ? -1 : nowMicros;
        }
        Counters.PacketsSent++;
        if (_next <= _highestSent)
        {
            Counters.Retransmitted++;
        }
        else
        {
            _highestSent = _next;
        }
        _next++;
        if (_retransmitAt == long.MaxValue)
        {
            _retransmitAt = nowMicros + RetransmitMicros;
        }
        return length;
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
            case TftpOpcode.Ack when TftpCodec.TryReadBlock(packet, out ushort block):
                OnAck(block, nowMicros);
                break;
            case TftpOpcode.OptionAck:
                // After a WRQ the server's OACK stands for ACK 0, and it sends it again when our DATA 1 was
                // lost: a repeated ACK 0. Any later one is a stray.
                if (_acked == 0)
                {
                    OnAck(0, nowMicros);
                }
                break;
            case TftpOpcode.Error:
                _failure.FromPeer(packet);
                State = TftpTransferState.Failed;
                break;
            default:
                Fail(TftpError.IllegalOperation, "illegal TFTP operation: expected an ACK, got opcode " + (int)opcode);
                break;
        }
    }

    public void OnTimer(long nowMicros)
    {
        if (State != TftpTransferState.Running)
        {
            return;
        }
        if (nowMicros >= _holdUntil)
        {
            // A round trip went by without an ACK while the congestion window held blocks back: let the
            // next share of the RFC 7440 window go, or a receiver waiting for the window's last block stalls.
            _holdUntil = long.MaxValue;
            _allowance = Math.Min(_allowance + _window.Blocks, WindowEnd);
        }
        if (nowMicros < _retransmitAt)
        {
            return;
        }
        Counters.Timeouts++;
        if (RetransmitMicros >= _options.TimeoutMicros && ++_retries > _maxRetries)
        {
            Fail(TftpError.NotDefined, LastBlockUnconfirmed
                ? "timed out: " + UnconfirmedLastBlock + " after " + _maxRetries + " retransmissions (a receiver that ends at its final ACK without waiting for a repeat, as atftpd does, may hold the whole file: TFTP cannot tell)"
                : "timed out: no acknowledgement after " + _maxRetries + " retransmissions");
            return;
        }
        _backoff = Math.Min(_backoff + 1, 30);
        _window.TimedOut();
        // The OACK is not repeated on the timer: only a repeated request says the client lacks it.
        _next = _acked < 0 ? 1 : _acked + 1;
        _rewoundFor = -1;
        _allowance = _acked + _window.Blocks;
        _retransmitAt = nowMicros + RetransmitMicros;
    }

    private long WindowEnd => _acked + _options.WindowSize;

    /// <summary>Every block, the last included, went out at least once (in a window one ACK stands for all of them).</summary>
    private bool LastBlockUnconfirmed => _last > 0 && _highestSent >= _last;

    private bool MaySend(long nowMicros)
    {
        if (_acked < 0)
        {
            return _next == 0;
        }
        if (_last >= 0 && _next > _last)
        {
            return false;
        }
        if (_next > WindowEnd)
        {
            return false;
        }
        if (_next > _allowance)
        {
            if (_holdUntil == long.MaxValue)
            {
                _holdUntil = nowMicros + HoldMicros;
            }
            return false;
        }
        return true;
    }

    private void OnAck(ushort block, long nowMicros)
    {
        long delta = (ushort)(block - (ushort)_acked);
        long outstanding = _highestSent - _acked;
        if (delta == 0 || delta > outstanding)
        {
            // A repeated ACK for the block already acknowledged. In a window it says the blocks after it
            // did not all arrive: go back once per such ACK value. In lockstep it is only a late duplicate.
            if (delta == 0 && _options.WindowSize > 1 && outstanding > 0 && _rewoundFor != _acked)
            {
                _rewoundFor = _acked;
                _window.Lost();
                _next = _acked + 1;
                _allowance = _acked + _window.Blocks;
                _holdUntil = long.MaxValue;
            }
            return;
        }
        long previous = _acked;
        _acked += delta;
        if (_acked > 0)
        {
            int slot = (int)(_acked % _options.WindowSize);
            long sample = nowMicros - _sentAt[slot];
            if (_sentAt[slot] >= 0 && sample >= 0 && _acked <= _highestSent && IsRoundTrip(previous, sample))
            {
                if (_measured)
                {
                    _rttVarMicros = ((_rttVarMicros * 3) + Math.Abs(_srttMicros - sample)) / 4;
                    _srttMicros = ((_srttMicros * 7) + sample) / 8;
                }
                else
                {
                    // RFC 6298 2.2: the first sample sets srtt, and rttvar to half of it.
                    _measured = true;
                    _srttMicros = sample;
                    _rttVarMicros = sample / 2;
                }
            }
            _bytesAcked += DeliveredBytes(Math.Max(previous, 0), _acked);
        }
        _window.Acknowledged(previous < 0 ? 0 : delta);
        Counters.Window = _window.Blocks;
        Counters.RttMicros = _srttMicros;
        _retries = 0;
        _backoff = 0;
        _rewoundFor = -1;
        if (_next <= _acked)
        {
            _next = _acked + 1;
        }
        _allowance = _acked + _window.Blocks;
        _holdUntil = long.MaxValue;
        _retransmitAt = _highestSent > _acked ? nowMicros + RetransmitMicros : long.MaxValue;
        if (_last >= 0 && _acked >= _last)
        {
            State = TftpTransferState.Completed;
            _retransmitAt = long.MaxValue;
            _holdUntil = long.MaxValue;
        }
    }

    private long DeliveredBytes(long from, long to)
    {
        long bytes = 0;
        for (long b = from + 1; b <= to; b++)
        {
            bytes += _lengths[(int)(b % _options.WindowSize)];
        }
        return bytes;
    }

    /// <summary>Reads block <paramref name="index"/> (always the one after the last read) into its ring slot.</summary>
    private bool ReadBlock(long index)
    {
        int slot = (int)(index % _options.WindowSize);
        var target = _ring.AsSpan(slot * _options.BlockSize, _options.BlockSize);
        int filled = 0;
        try
        {
            while (filled < target.Length)
            {
                int n = _source.Read(target[filled..]);
                if (n == 0)
                {
                    break;
                }
                filled += n;
            }
        }
        catch (IOException)
        {
            Fail(TftpError.NotDefined, CannotRead);
            return false;
        }
        _lengths[slot] = filled;
        _read = index;
        if (filled < _options.BlockSize)
        {
            _last = index;
        }
        return true;
    }

    public void Abort(string message)
    {
        if (State == TftpTransferState.Running)
        {
            Fail(TftpError.NotDefined, message);
        }
    }

    private void Fail(TftpError code, string message)
    {
        _failure.Local(code, message);
        State = TftpTransferState.Failed;
        _retransmitAt = long.MaxValue;
        _holdUntil = long.MaxValue;
    }
}
