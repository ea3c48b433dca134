using Udpx.Net;

namespace Udpx.Ui.Text;

/// <summary>First bytes of a datagram in lowercase hex pairs, as the stream pane prints them.</summary>
internal static class HexText
{
    public static string Format(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }
        if (bytes.Length > 64)
        {
            bytes = bytes[..64];
        }
        Span<char> text = stackalloc char[(bytes.Length * 3) - 1];
        for (int i = 0; i < bytes.Length; i++)
        {
            int at = i * 3;
            text[at] = Digit(bytes[i] >> 4);
            text[at + 1] = Digit(bytes[i] & 0xf);
            if (at + 2 < text.Length)
            {
                text[at + 2] = ' ';
            }
        }
        return new string(text);
    }

    /// <summary>The head a <see cref="DatagramRing"/> kept, at most <paramref name="maxBytes"/> of it.</summary>
    public static string Format(in DatagramRecord record, int maxBytes = 8)
    {
        Span<byte> head = stackalloc byte[8];
        record.CopyHead(head);
        return Format(head[..Math.Clamp(Math.Min((int)record.HeadLength, maxBytes), 0, 8)]);
    }

    private static char Digit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
