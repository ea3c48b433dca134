using System.Globalization;
using System.Text;

namespace Udpx.Common;

/// <summary>
/// Text a peer supplied (file names in offers, Reject and Done messages, names derived from URLs), made
/// safe to print: a hostile peer must not be able to move the cursor, recolour or clear a terminal
/// (C0/C1 escape sequences) or make a name read backwards (bidi overrides). Every place that prints or
/// logs such text calls <see cref="Escape"/>; JSON output relies on its encoder, which escapes every
/// non-ASCII character (bidi included) as \uXXXX.
/// </summary>
internal static class SafeText
{
    /// <summary>
    /// Controls become visible <c>\xNN</c> (C0, DEL, C1) and bidi or line-breaking format characters
    /// <c>\u{XXXX}</c>; everything else is kept. Returns <paramref name="text"/> itself when nothing needs
    /// escaping, so the common case allocates nothing.
    /// </summary>
    public static string Escape(string text)
    {
        int first = FirstUnsafe(text);
        if (first < 0)
        {
            return text;
        }
        var escaped = new StringBuilder(text.Length + 16);
        escaped.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (c < 0x100 && IsUnsafe(c))
            {
                escaped.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else if (IsUnsafe(c))
            {
                escaped.Append("\\u{").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('}');
            }
            else
            {
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }

    /// <summary>True when <paramref name="text"/> holds nothing <see cref="Escape"/> would change.</summary>
    public static bool IsSafe(string text) => FirstUnsafe(text) < 0;

    private static int FirstUnsafe(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (IsUnsafe(c))
            {
                return i;
            }
        }
        return -1;
    }

    // A surrogate reaching here is unpaired: a terminal would show garbage or swallow what follows.
    private static bool IsUnsafe(char c) =>
        c < 0x20 || c is >= '\u007F' and <= '\u009F'
        || c is '\u061C' or '\u200E' or '\u200F' or '\u2028' or '\u2029'
        || c is >= '\u202A' and <= '\u202E'
        || c is >= '\u2066' and <= '\u2069'
        || char.IsSurrogate(c);
}
