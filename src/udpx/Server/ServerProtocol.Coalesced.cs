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
            MessageType.Data => DataSize(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(buffer[8..])),
            MessageType.Hello => Wire.HelloSize + _tag,
            MessageType.Finish => Wire.FinishSize + _tag,
            MessageType.Abort => Wire.AbortSize + _tag,
            MessageType.Offer when buffer.Length >= Wire.OfferFixedSize => Wire.OfferFixedSize + System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(buffer[Wire.OfferNameLengthOffset..]) + _tag,
            _ => buffer.Length,
        };
        return size <= 0 ? buffer.Length : size;
    }

    /// <summary>The length of a data datagram of a session, live or ended; 0 when the session is unknown.</summary>
    private int DataSize(ulong sessionId) =>
        _sessions.TryGetValue(sessionId, out var live) ? live.ChunkSize + Wire.DataHeaderSize + _tag
        : _tombstones.TryGet(sessionId, out var ended) ? ended.ChunkSize + Wire.DataHeaderSize + _tag
        : 0;
}
