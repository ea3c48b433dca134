using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>Which chunk goes next (a lost one first, then new ones, within both windows and the rate cap) and writing it.</summary>
internal sealed partial class SenderProtocol
{
    private int TryWriteData(Span<byte> buffer, long now)
    {
        if (_orderCount == _orderChunk.Length)
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
        int wire = payload + Wire.DataHeaderSize + _plan.TagSize;
        // The fixed --rate cap is asked first without spending, so a refusal by the path costs it nothing.
        if (_rate.ReadyAt(wire, now) > now || !_congestion.TryAcquire(wire, now))
        {
            return 0;
        }
        _rate.TryConsume(wire, now);
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
        bool canSend = _lostCount > 0 || (_next < _total && _next - _cum < (ulong)_window);
        if (canSend)
        {
            long pathReady = _congestion.NextSendAt(_plan.DatagramSize, now);
            if (pathReady == long.MaxValue && _congestion.IsShared && _inFlight == 0)
            {
                // The shared window is full and nothing of ours is in flight, so no acknowledgement of ours will
                // wake us when another transfer's frees room: look again in a round trip. With data in flight,
                // our own acknowledgement wakes us; a short look for every transfer had 32 of them waking every
                // 100 µs to 2 ms, which took the CPU from the server and the transfers that had acknowledgements
                // to read (docs/performance.md, "Many transfers at once").
                pathReady = now + Math.Clamp(_rtt.SmoothedMicros, 1_000, 10_000);
            }
            deadline = Math.Min(deadline, Math.Max(pathReady, _rate.ReadyAt(_plan.DatagramSize, now)));
        }
        return deadline;
    }
}
