using System.Buffers.Binary;
using System.Numerics;
using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>The sender's side of acknowledgements: cumulative point, selective bitmap, RTT samples, delivery.</summary>
internal sealed partial class SenderProtocol
{
    private void OnAck(in AckMessage ack, long now)
    {
        if (ack.PacketNumber <= _largestAckPacket)
        {
            // Late or duplicated: a later Ack already said more. Its cumulative point, bitmap, echo and
            // duplicate count are all older than what we know (RFC 9000 §13.2.5's largest-acknowledged rule).
            StaleAcks++;
            return;
        }
        _largestAckPacket = ack.PacketNumber;
        long echoAge = (uint)((uint)now - ack.EchoTimeMicros);
        if (ack.EchoTimeMicros != 0 && echoAge < 60_000_000)
        {
            _rtt.AddSample(echoAge);
        }
        if ((long)ack.LargestReceived > _latestAckedSeq && ack.LargestReceived < _nextPacket
            && TryFindSendTime((long)ack.LargestReceived, out long sentAt))
        {
            // RACK's most recently sent delivered transmission: packet numbers are never reused, so a
            // retransmission's acknowledgement is never mistaken for its original's (RFC 9002 §5.1).
            _latestAckedSeq = (long)ack.LargestReceived;
            _rackRtt = now - sentAt;
        }

        if (ack.Duplicates != _duplicatesSeen)
        {
            // The server got something twice: a retransmission was premature, so the path reorders
            // more than we allowed for. Widen the reordering window, at most once per round trip.
            _duplicatesSeen = ack.Duplicates;
            if (now - _reorderWidenedAt > _rtt.SmoothedMicros)
            {
                _reorderHalves = Math.Min(_reorderHalves * 2, 16);
                _reorderWidenedAt = now;
            }
        }

        int newlyAcked = 0;
        ulong cumulative = Math.Min(ack.Cumulative, _next);
        for (ulong c = _cum; c < cumulative; c++)
        {
            newlyAcked += MarkAcked(c);
        }
        newlyAcked += ApplySelectiveAck(ack.Bitmap, cumulative + 1);
        while (_cum < _next && _state[(int)(_cum & (ulong)_mask)] == Acked)
        {
            ReleaseSlot(_cum);
            _cum++;
        }

        DetectLoss(now);
        if (newlyAcked > 0)
        {
            _progressAt = now;
            _congestion.OnAcked(newlyAcked, _delivered, now, _rtt);
        }
        _counters.AddAck(_bytesAcked, _rtt.SmoothedMicros, _congestion.Window);

        if (_phase == TransferPhase.Sending && _cum == _total)
        {
            EnterFinishing(now);
        }
    }

    private int ApplySelectiveAck(ReadOnlySpan<byte> bitmap, ulong baseChunk)
    {
        if (bitmap.IsEmpty || baseChunk >= _next)
        {
            return 0;
        }
        int newlyAcked = 0;
        ulong end = Math.Min(baseChunk + ((ulong)bitmap.Length * 8), _next);
        // Bits below our cumulative point name chunks whose slots now belong to later chunks.
        ulong c = Math.Max(baseChunk, _cum);
        while (c < end)
        {
            int shift = (int)(c & 63);
            int take = (int)Math.Min((ulong)(64 - shift), end - c);
            ulong bits = ReadBits(bitmap, (long)(c - baseChunk), take);
            ulong ours = _ackedBits[(int)((c >> 6) & (ulong)(_ackedBits.Length - 1))] >> shift;
            ulong fresh = bits & ~ours;
            while (fresh != 0)
            {
                int j = BitOperations.TrailingZeroCount(fresh);
                newlyAcked += MarkAcked(c + (ulong)j);
                fresh &= fresh - 1;
            }
            c += (ulong)take;
        }
        return newlyAcked;
    }

    /// <summary>Reads <paramref name="count"/> (1..64) bits, LSB first, starting at bit <paramref name="offset"/>.</summary>
    private static ulong ReadBits(ReadOnlySpan<byte> bitmap, long offset, int count)
    {
        int byteIndex = (int)(offset >> 3);
        int bitShift = (int)(offset & 7);
        Span<byte> window = stackalloc byte[16];
        window.Clear();
        var available = bitmap[byteIndex..];
        available[..Math.Min(available.Length, 9)].CopyTo(window);
        ulong low = BinaryPrimitives.ReadUInt64LittleEndian(window);
        ulong value = low >> bitShift;
        if (bitShift != 0)
        {
            value |= (ulong)window[8] << (64 - bitShift);
        }
        return count == 64 ? value : value & ((1UL << count) - 1);
    }

    private int MarkAcked(ulong chunk)
    {
        // A slot belongs to the one chunk of [_cum, _next) that maps to it; any other index is not ours to credit.
        if (chunk < _cum || chunk >= _next)
        {
            return 0;
        }
        int slot = (int)(chunk & (ulong)_mask);
        byte state = _state[slot];
        if (state == Acked || state == Unsent)
        {
            return 0;
        }
        if (state == InFlight)
        {
            _inFlight--;
        }
        _state[slot] = Acked;
        _ackedBits[slot >> 6] |= 1UL << (slot & 63);
        _delivered++;
        _bytesAcked += ChunkLength(chunk);
        return 1;
    }

    private void ReleaseSlot(ulong chunk)
    {
        int slot = (int)(chunk & (ulong)_mask);
        _state[slot] = Unsent;
        _tx[slot] = 0;
        _ackedBits[slot >> 6] &= ~(1UL << (slot & 63));
    }
}
