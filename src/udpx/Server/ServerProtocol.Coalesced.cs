using System.Net;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>Receives that the kernel coalesced (UDP GRO): cut back into the datagrams they were.</summary>
internal sealed partial class ServerProtocol
{
    /// <summary>
    /// Handles what one receive returned when the kernel coalesces datagrams (UDP GRO): datagrams of one
    /// sender, all of one size but the last. The size follows from the first datagram's own header.
    /// </summary>
    public void HandleCoalesced(ReadOnlySpan<byte> buffer, SocketAddress from, long now, IDatagramSink sink)
    {
        if (buffer.IsEmpty)
        {
            // An empty datagram is never coalesced with others; count it like any foreign datagram.
            Handle(buffer, from, now, sink);
            return;
        }
        while (buffer.Length > 0)
        {
            int size = SegmentSize(buffer);
            int take = Math.Min(size, buffer.Length);
            Handle(buffer[..take], from, now, sink);
            buffer = buffer[take..];
        }
    }

    /// <summary>The length a datagram starting at <paramref name="buffer"/> has; the whole buffer when unknown.</summary>
    private int SegmentSize(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < Wire.HeaderSize || buffer[0] != Wire.Magic)
        {
            return buffer.Length;
        }
        int size = (MessageType)buffer[2] switch
        {
            MessageType.Data => DataSize(buffer),
            MessageType.Hello => Wire.HelloSize + _tag,
            MessageType.Finish => Wire.FinishSize + _tag,
            MessageType.Abort => Wire.AbortSize + _tag,
            MessageType.Offer when buffer.Length >= Wire.OfferFixedSize => Wire.OfferFixedSize + System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(buffer[Wire.OfferNameLengthOffset..]) + _tag,
            _ => buffer.Length,
        };
        return size <= 0 ? buffer.Length : size;
    }

    /// <summary>
    /// The length of the first data datagram of a session this server does not know (its predecessor's, before
    /// a restart). One segmented send is datagrams of one size but the last, all starting alike (magic,
    /// version, type, flags, session id), so the second starts where the first ends, at least the smallest
    /// datagram size in. Cut there, each gets the UnknownSession Reject that makes its client start over;
    /// taken whole, the batch would fail its checksum unanswered and the client would wait out its idle
    /// timeout. The first such place is taken and the datagram's checksum then decides, so a forged buffer
    /// costs one pass. The whole buffer when no second datagram is found.
    /// </summary>
    private static int UnknownSessionDataSize(ReadOnlySpan<byte> buffer)
    {
        var start = buffer[..4];
        var session = buffer.Slice(8, 8);
        int at = Wire.MinDatagramSize;
        while (at + Wire.DataHeaderSize < buffer.Length)
        {
            int found = buffer[(at + 8)..].IndexOf(session);
            if (found < 0)
            {
                break;
            }
            at += found;
            if (buffer.Slice(at, 4).SequenceEqual(start))
            {
                return at;
            }
            at++;
        }
        return buffer.Length;
    }

    /// <summary>The length of the data datagram <paramref name="buffer"/> starts with: its session's, live or ended, or found in the buffer.</summary>
    private int DataSize(ReadOnlySpan<byte> buffer)
    {
        ulong sessionId = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(buffer[8..]);
        return _sessions.TryGetValue(sessionId, out var live) ? live.ChunkSize + Wire.DataHeaderSize + _tag
            : _tombstones.TryGet(sessionId, out var ended) ? ended.ChunkSize + Wire.DataHeaderSize + _tag
            : UnknownSessionDataSize(buffer);
    }
}
