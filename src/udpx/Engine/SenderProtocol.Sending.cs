using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>Which chunk goes next (a lost one first, then new ones, within both windows and the rate cap) and writing it.</summary>
internal sealed partial class SenderProtocol
{
    /// <summary>True while the handshake is done but the transfer's <see cref="SenderOptions.Gate"/> still holds its data back.</summary>
    public bool AwaitsGate => _phase == TransferPhase.Sending && _options.Gate is { IsOpen: false };

    /// <summary>
    /// The gate opened at <paramref name="now"/>: the wait was no silence of the server's, and the path's
    /// controller starts from the window the gate hands over (if it has sent nothing yet).
    /// </summary>
    public void OnGateOpened(long now)
    {
        _lastHeardAt = now;
        _progressAt = now;
        if (_options.Gate is { InitialWindow: > 0 } gate)
        {
            _congestion.StartFrom(gate.InitialWindow);
        }
    }

    private int TryWriteData(Span<byte> buffer, long now)
    {
        if (_order.IsFull || AwaitsGate)
        {
            return 0;
        }
        // While datagrams go out the first test fails at once: the deadline is read only after a pause.
        if (now - _lastDataSentAt > 2 * _rtt.SmoothedMicros && now >= ProbeDeadline)
        {
            // One look per deadline, found or not: the search never runs per datagram.
            _probesSinceAck++;
            if (TryFindNewestInFlight(out ulong probed))
            {
                return WriteTailProbe(buffer, probed, now);
            }
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
            _lost.RemoveFront();
        }
        else
        {
            _next++;
        }

        _inFlight++;
        return WriteChunk(buffer, chunk, payload, retransmission, now);
    }

    /// <summary>Writes one transmission of <paramref name="chunk"/> under a new packet number and logs it.</summary>
    private int WriteChunk(Span<byte> buffer, ulong chunk, int payload, bool retransmission, long now)
    {
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

        _order.Append(chunk, _slots.MarkSent(chunk), now, (long)packet);
        _premature.OnSent(chunk, (long)packet, retransmission);
        _lastDataSentAt = now;

        _counters.AddSent(length, retransmission);
        return length;
    }

    private bool TryPeekLost(out ulong chunk)
    {
        while (!_lost.IsEmpty)
        {
            chunk = _lost.Front;
            if (chunk >= _cum && chunk < _next && _slots.StateOf(chunk) == ChunkSlotState.Lost)
            {
                return true;
            }
            _lost.RemoveFront();
        }
        chunk = 0;
        return false;
    }

    private long SendingDeadline(long now)
    {
        long deadline = Math.Min(Math.Min(_rackDeadline, RetransmissionDeadline), ProbeDeadline);
        bool canSend = !_lost.IsEmpty || (_next < _total && _next - _cum < (ulong)_window);
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
