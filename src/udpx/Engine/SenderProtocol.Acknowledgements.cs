using System.Buffers.Binary;
using System.Numerics;
using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>The sender's side of acknowledgements: cumulative point, selective bitmap, RTT samples, delivery.</summary>
internal sealed partial class SenderProtocol
{
    private ulong _largestAckPacket;
    private long _bytesAcked;
    private ulong _ackLargestReceived;

    /// <summary>Acknowledgements ignored because a later one had already been processed (late or duplicated).</summary>
    public long StaleAcks { get; private set; }

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
        _probesSinceAck = 0;
        long echoAge = (uint)((uint)now - ack.EchoTimeMicros);
        long rttSample = 0;
        if (ack.EchoTimeMicros != 0 && echoAge < 60_000_000)
        {
            _rtt.AddSample(echoAge);
            rttSample = Math.Max(1, echoAge);
        }
        // Bit i of the bitmap is chunk cumulative + 1 + i: the Ack describes every chunk below that end.
        NoteLargestReceived(ack.LargestReceived, ack.Cumulative + 1 + ((ulong)ack.Bitmap.Length * 8), now);
        NoteDuplicates(ack.Duplicates, ack.EchoTimeMicros, now);
        _ackLargestReceived = ack.LargestReceived;

        int newlyAcked = 0;
        int inFlightBefore = _inFlight;
        ulong cumulative = Math.Min(ack.Cumulative, _next);
        for (ulong c = _cum; c < cumulative; c++)
        {
            newlyAcked += MarkAcked(c);
        }
        newlyAcked += ApplySelectiveAck(ack.Bitmap, cumulative + 1);
        while (_cum < _next && _slots.StateOf(_cum) == ChunkSlotState.Acked)
        {
            _slots.Release(_cum);
            _cum++;
        }

        int leftFlight = inFlightBefore - _inFlight;
        WidenReorderWindowIfPremature(now);
        DetectLoss(now);
        if (newlyAcked > 0)
        {
            _progressAt = now;
        }
        if (newlyAcked > 0 || rttSample > 0)
        {
            _congestion.OnAcked(newlyAcked, leftFlight, rttSample, now);
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
            ulong ours = _slots.AckedBitsFrom(c);
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
        ChunkSlotState state = _slots.MarkAcked(chunk);
        if (state is ChunkSlotState.Acked or ChunkSlotState.Unsent)
        {
            return 0;
        }
        if (state == ChunkSlotState.InFlight)
        {
            _inFlight--;
        }
        if (_premature.IsPrematureCredit(chunk, _ackLargestReceived))
        {
            NotePremature();
        }
        _bytesAcked += ChunkLength(chunk);
        return 1;
    }
}
