using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>Which chunk goes next (a lost one first, then new ones, within both windows and the rate cap) and writing it.</summary>
internal sealed partial class SenderProtocol
{
    private int TryWriteData(Span<byte> buffer, long now)
    {
        if (_inFlight >= _congestion.Window || _orderCount == _orderChunk.Length)
        {
            return 0;
        }
        ulong chunk;
        bool retransmission;
        if (TryPeekLost(out chunk))
        {
            retransmission = true;
        }
        else if (_next < _total && _next - _cum < (ulong)_window)
        {
            chunk = _next;
            retransmission = false;
        }
        else
        {
            return 0;
        }

        int payload = ChunkLength(chunk);
        if (!_rate.TryConsume(payload + Wire.DataHeaderSize, now))
        {
            return 0;
        }
        if (retransmission)
        {
            _lostHead = (_lostHead + 1) & _mask;
            _lostCount--;
        }
        else
        {
            _next++;
        }

        ulong packet = _nextPacket++;
        MessageCodec.WriteDataHeader(buffer, _sessionId, chunk, (uint)now, packet);
        var bytes = MessageCodec.DataPayload(buffer)[..payload];
        _source.Read((long)chunk * _chunkSize, bytes);
        ulong payloadHash = Checksum.HashPayload(bytes);
        if (!retransmission && chunk == _digest.Chunks)
        {
            // First sends go in chunk order, so the digest grows as the file goes out.
            _digest.Append(payloadHash);
            _finishNow = _next == _total;
        }
        int length = MessageCodec.SealData(buffer, payload, payloadHash);

        int slot = (int)(chunk & (ulong)_mask);
        _state[slot] = InFlight;
        _tx[slot] = (ushort)Math.Min(_tx[slot] + 1, ushort.MaxValue);
        _inFlight++;
        int tail = (_orderHead + _orderCount) % _orderChunk.Length;
        _orderChunk[tail] = chunk;
        _orderTx[tail] = _tx[slot];
        _orderTime[tail] = now;
        _orderPacket[tail] = (long)packet;
        _orderCount++;

        _congestion.OnSent();
        _counters.AddSent(length, retransmission);
        return length;
    }

    private bool TryPeekLost(out ulong chunk)
    {
        while (_lostCount > 0)
        {
            chunk = _lost[_lostHead];
            if (chunk >= _cum && chunk < _next && _state[(int)(chunk & (ulong)_mask)] == Lost)
            {
                return true;
            }
            _lostHead = (_lostHead + 1) & _mask;
            _lostCount--;
        }
        chunk = 0;
        return false;
    }

    private long SendingDeadline(long now)
    {
        long deadline = _rackDeadline;
        if (_orderCount > 0)
        {
            deadline = Math.Min(deadline, _orderTime[_orderHead] + _rtt.RtoMicros);
        }
        bool canSend = _inFlight < _congestion.Window && (_lostCount > 0 || (_next < _total && _next - _cum < (ulong)_window));
        if (canSend)
        {
            deadline = Math.Min(deadline, _rate.ReadyAt(_plan.DatagramSize, now));
        }
        return deadline;
    }
}
