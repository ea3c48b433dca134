using System.Buffers.Binary;
using System.Text;

namespace Udpx.Protocol;

/// <summary>
/// Encodes and decodes the control messages. Every Write returns the datagram length, sealed with its checksum;
/// every TryRead checks each length before reading and never throws on bad input.
/// </summary>
internal static class MessageCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static int WriteHello(Span<byte> buffer, in HelloMessage m)
    {
        buffer[..Wire.HelloSize].Clear();
        new DatagramHeader(MessageType.Hello, m.SessionId).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[16..], m.ClientTimeMicros);
        return Seal(buffer, Wire.HelloSize);
    }

    public static bool TryReadHello(ReadOnlySpan<byte> d, out HelloMessage m)
    {
        m = default;
        if (!Is(d, MessageType.Hello, Wire.HelloSize))
        {
            return false;
        }
        m = new HelloMessage(SessionOf(d), BinaryPrimitives.ReadUInt64BigEndian(d[16..]));
        return true;
    }

    public static int WriteCookie(Span<byte> buffer, in CookieMessage m)
    {
        new DatagramHeader(MessageType.Cookie, m.SessionId).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[16..], m.EchoTimeMicros);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[24..], m.IssuedAtSeconds);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[32..], m.Mac);
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
            BinaryPrimitives.ReadUInt64BigEndian(d[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(d[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(d[32..]));
        return true;
    }

    public static int WriteOffer(Span<byte> buffer, in OfferMessage m)
    {
        new DatagramHeader(MessageType.Offer, m.SessionId).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[16..], m.CookieIssuedAtSeconds);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[24..], m.CookieMac);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[32..], m.FileSize);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[40..], m.ChunkSize);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[42..], m.Flags);
        int nameLength = Encoding.UTF8.GetBytes(m.Name, buffer[(Wire.OfferFixedSize)..]);
        if (nameLength > Wire.MaxNameBytes)
        {
            throw new ArgumentException("file name longer than " + Wire.MaxNameBytes + " bytes", nameof(m));
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
            BinaryPrimitives.ReadUInt64BigEndian(d[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(d[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(d[32..]),
            BinaryPrimitives.ReadUInt16BigEndian(d[40..]),
            BinaryPrimitives.ReadUInt16BigEndian(d[42..]),
            name);
        return true;
    }

    public static int WriteAccept(Span<byte> buffer, in AcceptMessage m)
    {
        new DatagramHeader(MessageType.Accept, m.SessionId).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[16..], m.ResumeFromChunk);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[24..], m.WindowChunks);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[28..], m.ChunkSize);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[30..], 0);
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
            BinaryPrimitives.ReadUInt64BigEndian(d[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[24..]),
            BinaryPrimitives.ReadUInt16BigEndian(d[28..]));
        return true;
    }

    public static int WriteReject(Span<byte> buffer, in RejectMessage m)
    {
        new DatagramHeader(MessageType.Reject, m.SessionId).Write(buffer);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[16..], (ushort)m.Reason);
        int length = WriteText(m.Message, buffer[Wire.RejectFixedSize..]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[18..], (ushort)length);
        return Seal(buffer, Wire.RejectFixedSize + length);
    }

    public static bool TryReadReject(ReadOnlySpan<byte> d, out RejectMessage m)
    {
        m = default;
        if (!Is(d, MessageType.Reject, Wire.RejectFixedSize))
        {
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(d[18..]);
        if (length != d.Length - Wire.RejectFixedSize)
        {
            return false;
        }
        m = new RejectMessage(
            SessionOf(d),
            (RejectReason)BinaryPrimitives.ReadUInt16BigEndian(d[16..]),
            Encoding.UTF8.GetString(d.Slice(Wire.RejectFixedSize, length)));
        return true;
    }

    public static int WriteAck(Span<byte> buffer, ulong sessionId, ulong cumulative, uint echo, uint duplicates, ReadOnlySpan<byte> bitmap)
    {
        new DatagramHeader(MessageType.Ack, sessionId).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[16..], cumulative);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[24..], echo);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[28..], duplicates);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[32..], (ushort)bitmap.Length);
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
        int length = BinaryPrimitives.ReadUInt16BigEndian(d[32..]);
        if (length != d.Length - Wire.AckFixedSize)
        {
            return false;
        }
        m = new AckMessage(
            SessionOf(d),
            BinaryPrimitives.ReadUInt64BigEndian(d[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[24..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[28..]),
            d.Slice(Wire.AckFixedSize, length));
        return true;
    }

    public static int WriteDone(Span<byte> buffer, in DoneMessage m)
    {
        new DatagramHeader(MessageType.Done, m.SessionId).Write(buffer);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[16..], (ushort)m.Reason);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[18..], m.BytesStored);
        int length = WriteText(m.Message, buffer[Wire.DoneFixedSize..]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[26..], (ushort)length);
        return Seal(buffer, Wire.DoneFixedSize + length);
    }

    public static bool TryReadDone(ReadOnlySpan<byte> d, out DoneMessage m)
    {
        m = default;
        if (!Is(d, MessageType.Done, Wire.DoneFixedSize))
        {
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(d[26..]);
        if (length != d.Length - Wire.DoneFixedSize)
        {
            return false;
        }
        m = new DoneMessage(
            SessionOf(d),
            (RejectReason)BinaryPrimitives.ReadUInt16BigEndian(d[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(d[18..]),
            Encoding.UTF8.GetString(d.Slice(Wire.DoneFixedSize, length)));
        return true;
    }

    public static int WriteFinish(Span<byte> buffer, in FinishMessage m)
    {
        new DatagramHeader(MessageType.Finish, m.SessionId).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[16..], m.FileSize);
        BinaryPrimitives.WriteUInt128BigEndian(buffer[24..], m.Digest);
        return Seal(buffer, Wire.FinishSize);
    }

    public static bool TryReadFinish(ReadOnlySpan<byte> d, out FinishMessage m)
    {
        m = default;
        if (!Is(d, MessageType.Finish, Wire.FinishSize) || d.Length != Wire.FinishSize)
        {
            return false;
        }
        m = new FinishMessage(SessionOf(d), BinaryPrimitives.ReadUInt64BigEndian(d[16..]), BinaryPrimitives.ReadUInt128BigEndian(d[24..]));
        return true;
    }

    public static int WriteAbort(Span<byte> buffer, ulong sessionId, RejectReason reason)
    {
        new DatagramHeader(MessageType.Abort, sessionId).Write(buffer);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[16..], (ushort)reason);
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
        reason = (RejectReason)BinaryPrimitives.ReadUInt16BigEndian(d[16..]);
        return true;
    }

    /// <summary>Writes a data header; the caller fills <see cref="DataPayload"/> then calls <see cref="SealData(Span{byte}, int)"/>.</summary>
    public static void WriteDataHeader(Span<byte> buffer, ulong sessionId, ulong chunk, uint sendTimeMicros)
    {
        new DatagramHeader(MessageType.Data, sessionId).Write(buffer);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[16..], chunk);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[24..], sendTimeMicros);
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
        chunk = BinaryPrimitives.ReadUInt64BigEndian(d[16..]);
        sendTimeMicros = BinaryPrimitives.ReadUInt32BigEndian(d[24..]);
        payload = d[Wire.DataHeaderSize..];
        return true;
    }

    private static bool Is(ReadOnlySpan<byte> d, MessageType type, int minLength) =>
        d.Length >= minLength && d.Length >= Wire.HeaderSize && (MessageType)d[2] == type;

    private static ulong SessionOf(ReadOnlySpan<byte> d) => BinaryPrimitives.ReadUInt64BigEndian(d[8..]);

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
