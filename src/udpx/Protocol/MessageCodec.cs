using System.Buffers.Binary;
using System.Text;

namespace Udpx.Protocol;

/// <summary>
/// Encodes and decodes the control messages. Every Write returns the datagram length, sealed with its checksum;
/// every TryRead checks each length before reading and never throws on bad input.
/// </summary>
internal static class MessageCodec
{
    /// <summary>Where every message body starts.</summary>
    private const int H = Wire.HeaderSize;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static int WriteHello(Span<byte> buffer, in HelloMessage m)
    {
        buffer[..Wire.HelloSize].Clear();
        new DatagramHeader(MessageType.Hello, m.SessionId, m.PacketNumber).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[H..], m.ClientTimeMicros);
        return Seal(buffer, Wire.HelloSize);
    }

    public static bool TryReadHello(ReadOnlySpan<byte> d, out HelloMessage m)
    {
        m = default;
        if (!Is(d, MessageType.Hello, Wire.HelloSize))
        {
            return false;
        }
        m = new HelloMessage(SessionOf(d), BinaryPrimitives.ReadUInt64BigEndian(d[H..]), PacketOf(d));
        return true;
    }

    public static int WriteCookie(Span<byte> buffer, in CookieMessage m)
    {
        new DatagramHeader(MessageType.Cookie, m.SessionId).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[H..], m.EchoTimeMicros);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[(H + 8)..], m.IssuedAtSeconds);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[(H + 16)..], m.Mac);
        return Seal(buffer, Wire.CookieSize);
    }

    public static bool TryReadCookie(ReadOnlySpan<byte> d, out CookieMessage m)
    {
        m = default;
        if (!Is(d, MessageType.Cookie, Wire.CookieSize))
        {
            return false;
        }
        m = new CookieMessage(
            SessionOf(d),
            BinaryPrimitives.ReadUInt64BigEndian(d[H..]),
            BinaryPrimitives.ReadUInt64BigEndian(d[(H + 8)..]),
            BinaryPrimitives.ReadUInt64BigEndian(d[(H + 16)..]));
        return true;
    }

    public static int WriteOffer(Span<byte> buffer, in OfferMessage m)
    {
        new DatagramHeader(MessageType.Offer, m.SessionId, m.PacketNumber).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[H..], m.CookieIssuedAtSeconds);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[(H + 8)..], m.CookieMac);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[(H + 16)..], m.FileSize);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(H + 24)..], m.ChunkSize);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(H + 26)..], m.Flags);
        BinaryPrimitives.WriteUInt128BigEndian(buffer[(H + 28)..], m.ClientRandom);
        BinaryPrimitives.WriteUInt128BigEndian(buffer[(H + 44)..], m.Identity);
        int nameLength = Encoding.UTF8.GetBytes(m.Name, buffer[(Wire.OfferFixedSize)..]);
        if (nameLength > Wire.MaxPathBytes)
        {
            throw new ArgumentException("file path longer than " + Wire.MaxPathBytes + " bytes", nameof(m));
        }
        BinaryPrimitives.WriteUInt16BigEndian(buffer[Wire.OfferNameLengthOffset..], (ushort)nameLength);
        return Seal(buffer, Wire.OfferFixedSize + nameLength);
    }

    /// <summary>Reads an offer. A name that is not valid UTF-8 comes back as null (the server rejects it).</summary>
    public static bool TryReadOffer(ReadOnlySpan<byte> d, out OfferMessage m, out bool nameIsValidUtf8)
    {
        m = default;
        nameIsValidUtf8 = false;
        if (!Is(d, MessageType.Offer, Wire.OfferFixedSize))
        {
            return false;
        }
        int nameLength = BinaryPrimitives.ReadUInt16BigEndian(d[Wire.OfferNameLengthOffset..]);
        if (nameLength != d.Length - Wire.OfferFixedSize)
        {
            return false;
        }
        string name;
        try
        {
            name = StrictUtf8.GetString(d.Slice(Wire.OfferFixedSize, nameLength));
            nameIsValidUtf8 = true;
        }
        catch (DecoderFallbackException)
        {
            name = string.Empty;
        }
        m = new OfferMessage(
            SessionOf(d),
            BinaryPrimitives.ReadUInt64BigEndian(d[H..]),
            BinaryPrimitives.ReadUInt64BigEndian(d[(H + 8)..]),
            BinaryPrimitives.ReadUInt64BigEndian(d[(H + 16)..]),
            BinaryPrimitives.ReadUInt16BigEndian(d[(H + 24)..]),
            BinaryPrimitives.ReadUInt16BigEndian(d[(H + 26)..]),
            name,
            BinaryPrimitives.ReadUInt128BigEndian(d[(H + 28)..]),
            PacketOf(d),
            BinaryPrimitives.ReadUInt128BigEndian(d[(H + 44)..]));
        return true;
    }

    public static int WriteAccept(Span<byte> buffer, in AcceptMessage m)
    {
        new DatagramHeader(MessageType.Accept, m.SessionId, m.PacketNumber).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[H..], m.ResumeFromChunk);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[(H + 8)..], m.WindowChunks);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(H + 12)..], m.ChunkSize);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(H + 14)..], 0);
        BinaryPrimitives.WriteUInt128BigEndian(buffer[(H + 16)..], m.ServerRandom);
        return Seal(buffer, Wire.AcceptSize);
    }

    public static bool TryReadAccept(ReadOnlySpan<byte> d, out AcceptMessage m)
    {
        m = default;
        if (!Is(d, MessageType.Accept, Wire.AcceptSize))
        {
            return false;
        }
        m = new AcceptMessage(
            SessionOf(d),
            BinaryPrimitives.ReadUInt64BigEndian(d[H..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[(H + 8)..]),
            BinaryPrimitives.ReadUInt16BigEndian(d[(H + 12)..]),
            BinaryPrimitives.ReadUInt128BigEndian(d[(H + 16)..]),
            PacketOf(d));
        return true;
    }

    public static int WriteReject(Span<byte> buffer, in RejectMessage m)
    {
        new DatagramHeader(MessageType.Reject, m.SessionId, m.PacketNumber).Write(buffer);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[H..], (ushort)m.Reason);
        int length = WriteText(m.Message, buffer[Wire.RejectFixedSize..]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(H + 2)..], (ushort)length);
        return Seal(buffer, Wire.RejectFixedSize + length);
    }

    public static bool TryReadReject(ReadOnlySpan<byte> d, out RejectMessage m)
    {
        m = default;
        if (!Is(d, MessageType.Reject, Wire.RejectFixedSize))
        {
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(d[(H + 2)..]);
        if (length != d.Length - Wire.RejectFixedSize)
        {
            return false;
        }
        m = new RejectMessage(
            SessionOf(d),
            (RejectReason)BinaryPrimitives.ReadUInt16BigEndian(d[H..]),
            Encoding.UTF8.GetString(d.Slice(Wire.RejectFixedSize, length)),
            PacketOf(d));
        return true;
    }

    /// <summary>Writes an Ack; <paramref name="bitmap"/> may already lie at its place in <paramref name="buffer"/>.</summary>
    public static int WriteAck(Span<byte> buffer, ulong sessionId, ulong packetNumber, ulong largestReceived, ulong cumulative, uint echo, uint duplicates, ReadOnlySpan<byte> bitmap)
    {
        new DatagramHeader(MessageType.Ack, sessionId, packetNumber).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[H..], largestReceived);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[(H + 8)..], cumulative);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[(H + 16)..], echo);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[(H + 20)..], duplicates);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(H + 24)..], (ushort)bitmap.Length);
        bitmap.CopyTo(buffer[Wire.AckFixedSize..]);
        return Seal(buffer, Wire.AckFixedSize + bitmap.Length);
    }

    public static bool TryReadAck(ReadOnlySpan<byte> d, out AckMessage m)
    {
        m = default;
        if (!Is(d, MessageType.Ack, Wire.AckFixedSize))
        {
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(d[(H + 24)..]);
        if (length != d.Length - Wire.AckFixedSize)
        {
            return false;
        }
        m = new AckMessage(
            SessionOf(d),
            PacketOf(d),
            BinaryPrimitives.ReadUInt64BigEndian(d[H..]),
            BinaryPrimitives.ReadUInt64BigEndian(d[(H + 8)..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[(H + 16)..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[(H + 20)..]),
            d.Slice(Wire.AckFixedSize, length));
        return true;
    }

    public static int WriteDone(Span<byte> buffer, in DoneMessage m)
    {
        new DatagramHeader(MessageType.Done, m.SessionId, m.PacketNumber).Write(buffer);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[H..], (ushort)m.Reason);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[(H + 2)..], m.BytesStored);
        int length = WriteText(m.Message, buffer[Wire.DoneFixedSize..]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(H + 10)..], (ushort)length);
        return Seal(buffer, Wire.DoneFixedSize + length);
    }

    public static bool TryReadDone(ReadOnlySpan<byte> d, out DoneMessage m)
    {
        m = default;
        if (!Is(d, MessageType.Done, Wire.DoneFixedSize))
        {
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(d[(H + 10)..]);
        if (length != d.Length - Wire.DoneFixedSize)
        {
            return false;
        }
        m = new DoneMessage(
            SessionOf(d),
            (RejectReason)BinaryPrimitives.ReadUInt16BigEndian(d[H..]),
            BinaryPrimitives.ReadUInt64BigEndian(d[(H + 2)..]),
            Encoding.UTF8.GetString(d.Slice(Wire.DoneFixedSize, length)),
            PacketOf(d));
        return true;
    }

    public static int WriteFinish(Span<byte> buffer, in FinishMessage m)
    {
        new DatagramHeader(MessageType.Finish, m.SessionId, m.PacketNumber).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[H..], m.FileSize);
        BinaryPrimitives.WriteUInt128BigEndian(buffer[(H + 8)..], m.Digest);
        return Seal(buffer, Wire.FinishSize);
    }

    public static bool TryReadFinish(ReadOnlySpan<byte> d, out FinishMessage m)
    {
        m = default;
        if (!Is(d, MessageType.Finish, Wire.FinishSize) || d.Length != Wire.FinishSize)
        {
            return false;
        }
        m = new FinishMessage(SessionOf(d), BinaryPrimitives.ReadUInt64BigEndian(d[H..]), BinaryPrimitives.ReadUInt128BigEndian(d[(H + 8)..]), PacketOf(d));
        return true;
    }

    public static int WriteAbort(Span<byte> buffer, ulong sessionId, RejectReason reason, ulong packetNumber = 0)
    {
        new DatagramHeader(MessageType.Abort, sessionId, packetNumber).Write(buffer);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[H..], (ushort)reason);
        return Seal(buffer, Wire.AbortSize);
    }

    public static bool TryReadAbort(ReadOnlySpan<byte> d, out ulong sessionId, out RejectReason reason)
    {
        sessionId = 0;
        reason = RejectReason.None;
        if (!Is(d, MessageType.Abort, Wire.AbortSize) || d.Length != Wire.AbortSize)
        {
            return false;
        }
        sessionId = SessionOf(d);
        reason = (RejectReason)BinaryPrimitives.ReadUInt16BigEndian(d[H..]);
        return true;
    }

    /// <summary>Writes a data header; the caller fills <see cref="DataPayload"/> then calls <see cref="SealData(Span{byte}, int)"/>.</summary>
    public static void WriteDataHeader(Span<byte> buffer, ulong sessionId, ulong chunk, uint sendTimeMicros, ulong packetNumber = 0)
    {
        new DatagramHeader(MessageType.Data, sessionId, packetNumber).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[H..], chunk);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[(H + 8)..], sendTimeMicros);
    }

    public static Span<byte> DataPayload(Span<byte> buffer) => buffer[Wire.DataHeaderSize..];

    /// <summary>Seals a data datagram whose payload is written.</summary>
    public static int SealData(Span<byte> buffer, int payloadLength) =>
        SealData(buffer, payloadLength, Checksum.HashPayload(buffer.Slice(Wire.DataHeaderSize, payloadLength)));

    /// <summary>Seals a data datagram whose payload hash (<see cref="Checksum.HashPayload"/>) the caller already has.</summary>
    public static int SealData(Span<byte> buffer, int payloadLength, ulong payloadHash)
    {
        int length = Wire.DataHeaderSize + payloadLength;
        Checksum.SealData(buffer[..length], payloadHash);
        return length;
    }

    /// <summary>Reads a data datagram whose header was already checked.</summary>
    public static bool TryReadData(ReadOnlySpan<byte> d, out ulong chunk, out uint sendTimeMicros, out ReadOnlySpan<byte> payload)
    {
        chunk = 0;
        sendTimeMicros = 0;
        payload = default;
        if (d.Length <= Wire.DataHeaderSize || (MessageType)d[2] != MessageType.Data)
        {
            return false;
        }
        chunk = BinaryPrimitives.ReadUInt64BigEndian(d[H..]);
        sendTimeMicros = BinaryPrimitives.ReadUInt32BigEndian(d[(H + 8)..]);
        payload = d[Wire.DataHeaderSize..];
        return true;
    }

    private static bool Is(ReadOnlySpan<byte> d, MessageType type, int minLength) =>
        d.Length >= minLength && d.Length >= Wire.HeaderSize && (MessageType)d[2] == type;

    private static ulong SessionOf(ReadOnlySpan<byte> d) => BinaryPrimitives.ReadUInt64BigEndian(d[8..]);

    private static ulong PacketOf(ReadOnlySpan<byte> d) => DatagramHeader.PacketNumberOf(d);

    private static int Seal(Span<byte> buffer, int length)
    {
        Checksum.Seal(buffer[..length]);
        return length;
    }

    private static int WriteText(string text, Span<byte> destination)
    {
        var limit = destination[..Math.Min(destination.Length, Wire.MaxMessageBytes)];
        if (Encoding.UTF8.GetByteCount(text) <= limit.Length)
        {
            return Encoding.UTF8.GetBytes(text, limit);
        }
        // Too long: cut on a character boundary.
        int chars = Math.Min(text.Length, limit.Length / 4);
        return Encoding.UTF8.GetBytes(text.AsSpan(0, chars), limit);
    }
}
