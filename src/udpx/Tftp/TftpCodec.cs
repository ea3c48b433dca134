using System.Buffers.Binary;
using System.Text;

namespace Udpx.Tftp;

/// <summary>
/// Reads and writes TFTP packets (RFC 1350, option strings from RFC 2347). Every length is checked
/// before a field is read; a malformed packet gives false and a reason, never an exception.
/// </summary>
internal static class TftpCodec
{
    /// <summary>RFC 2347: a request, options included, fits in 512 bytes.</summary>
    public const int MaxRequestBytes = 512;

    /// <summary>Longest error message written (RFC 1350 has no limit; a reply stays smaller than the request that caused it).</summary>
    public const int MaxErrorMessageBytes = 200;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static bool TryReadOpcode(ReadOnlySpan<byte> packet, out TftpOpcode opcode)
    {
        opcode = default;
        if (packet.Length < 2)
        {
            return false;
        }
        ushort value = BinaryPrimitives.ReadUInt16BigEndian(packet);
        if (value is < 1 or > 6)
        {
            return false;
        }
        opcode = (TftpOpcode)value;
        return true;
    }

    /// <summary>The block number of a DATA or ACK packet.</summary>
    public static bool TryReadBlock(ReadOnlySpan<byte> packet, out ushort block)
    {
        block = 0;
        if (packet.Length < 4)
        {
            return false;
        }
        block = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        return true;
    }

    public static int WriteData(Span<byte> buffer, ushort block, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)TftpOpcode.Data);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], block);
        payload.CopyTo(buffer[4..]);
        return 4 + payload.Length;
    }

    public static int WriteAck(Span<byte> buffer, ushort block)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)TftpOpcode.Ack);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], block);
        return 4;
    }

    public static int WriteError(Span<byte> buffer, TftpError code, string message)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)TftpOpcode.Error);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)code);
        int room = Math.Min(MaxErrorMessageBytes, buffer.Length - 5);
        int length = WriteTruncated(buffer[4..], message, room);
        buffer[4 + length] = 0;
        return 5 + length;
    }

    /// <summary>An OACK with the given options, in order.</summary>
    public static int WriteOptionAck(Span<byte> buffer, IReadOnlyList<KeyValuePair<string, string>> options)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)TftpOpcode.OptionAck);
        int at = 2;
        foreach (var (name, value) in options)
        {
            at += WriteString(buffer[at..], name);
            at += WriteString(buffer[at..], value);
        }
        return at;
    }

    /// <summary>An RRQ or WRQ; throws <see cref="ArgumentException"/> when it would not fit in 512 bytes.</summary>
    public static int WriteRequest(Span<byte> buffer, TftpOpcode opcode, string fileName, TftpMode mode, IReadOnlyList<KeyValuePair<string, string>> options)
    {
        int size = 2 + Encoding.UTF8.GetByteCount(fileName) + 1 + 9;
        foreach (var (name, value) in options)
        {
            size += name.Length + value.Length + 2;
        }
        if (size > MaxRequestBytes || size > buffer.Length)
        {
            throw new ArgumentException("the name '" + fileName + "' makes a request longer than TFTP's 512 bytes");
        }
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)opcode);
        int at = 2 + WriteString(buffer[2..], fileName);
        at += WriteString(buffer[at..], mode == TftpMode.NetAscii ? "netascii" : "octet");
        foreach (var (name, value) in options)
        {
            at += WriteString(buffer[at..], name);
            at += WriteString(buffer[at..], value);
        }
        return at;
    }

    /// <summary>Parses an RRQ or WRQ. The reason says what was wrong, for the error packet.</summary>
    public static bool TryReadRequest(ReadOnlySpan<byte> packet, out TftpRequest? request, out string why)
    {
        request = null;
        if (packet.Length > MaxRequestBytes)
        {
            why = "request longer than 512 bytes";
            return false;
        }
        if (!TryReadOpcode(packet, out var opcode) || opcode is not (TftpOpcode.ReadRequest or TftpOpcode.WriteRequest))
        {
            why = "not a read or write request";
            return false;
        }
        var rest = packet[2..];
        if (!TryReadString(ref rest, out string? name) || !TryReadString(ref rest, out string? modeText))
        {
            why = "malformed request: the file name and mode must each end in a NUL byte and be UTF-8";
            return false;
        }
        TftpMode mode;
        switch (modeText.ToLowerInvariant())
        {
            case "octet":
                mode = TftpMode.Octet;
                break;
            case "netascii":
                mode = TftpMode.NetAscii;
                break;
            case "mail":
                why = "mail mode is not supported";
                return false;
            default:
                why = "unknown transfer mode (use octet or netascii)";
                return false;
        }
        if (!TryReadOptions(rest, out var options))
        {
            why = "malformed options: each name and value must end in a NUL byte";
            return false;
        }
        request = new TftpRequest(opcode, name, mode, options);
        why = string.Empty;
        return true;
    }

    /// <summary>Options as name/value pairs (an OACK's body, or what follows a request's mode).</summary>
    public static bool TryReadOptions(ReadOnlySpan<byte> body, out Dictionary<string, string> options)
    {
        options = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!body.IsEmpty)
        {
            if (!TryReadString(ref body, out string? name) || !TryReadString(ref body, out string? value))
            {
                return false;
            }
            options.TryAdd(name.ToLowerInvariant(), value);
        }
        return true;
    }

    /// <summary>An ERROR packet's code and message (the message may lack its NUL: some servers omit it); false for any other packet.</summary>
    public static bool TryReadError(ReadOnlySpan<byte> packet, out TftpError code, out string message)
    {
        code = default;
        message = string.Empty;
        if (packet.Length < 4 || BinaryPrimitives.ReadUInt16BigEndian(packet) != (ushort)TftpOpcode.Error)
        {
            return false;
        }
        code = (TftpError)BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        var text = packet[4..];
        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
        {
            text = text[..nul];
        }
        message = Encoding.UTF8.GetString(text[..Math.Min(text.Length, MaxErrorMessageBytes)]);
        return true;
    }

    private static bool TryReadString(ref ReadOnlySpan<byte> span, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        int nul = span.IndexOf((byte)0);
        if (nul < 0)
        {
            return false;
        }
        try
        {
            value = StrictUtf8.GetString(span[..nul]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        span = span[(nul + 1)..];
        return true;
    }

    private static int WriteString(Span<byte> buffer, string text)
    {
        int length = Encoding.UTF8.GetBytes(text, buffer);
        buffer[length] = 0;
        return length + 1;
    }

    /// <summary>UTF-8 of <paramref name="text"/>, cut at a character boundary to fit <paramref name="room"/> bytes.</summary>
    private static int WriteTruncated(Span<byte> buffer, string text, int room)
    {
        int chars = text.Length;
        while (Encoding.UTF8.GetByteCount(text.AsSpan(0, chars)) > room)
        {
            chars = Math.Max(0, chars - Math.Max(1, chars / 8));
        }
        return Encoding.UTF8.GetBytes(text.AsSpan(0, chars), buffer);
    }
}
