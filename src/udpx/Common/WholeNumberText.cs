using System.Buffers;
using System.Globalization;

namespace Udpx.Common;

/// <summary>
/// A whole number in decimal digits with an optional sign, within a range: "8", "-3". "1e3", "0x10" and "1.5"
/// are not whole numbers here, and a number of any length outside the range is named as such, not as text
/// that failed to parse.
/// </summary>
internal static class WholeNumberText
{
    private static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");

    public static bool TryParse(string text, int least, int most, string unit, out int value, out string error)
    {
        value = 0;
        string t = text.Trim();
        int digits = t.Length > 0 && t[0] is '-' or '+' ? 1 : 0;
        if (t.Length == digits || t.AsSpan(digits).ContainsAnyExcept(Digits))
        {
            error = "expects a whole number, got '" + text + "'";
            return false;
        }
        // Digits that overflow even a long are out of any int range; the sign says on which side.
        bool parsed = long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number);
        bool low = parsed ? number < least : t[0] == '-';
        if (!parsed || low || number > most)
        {
            // "At least 1" alone would be no answer to 99999999999.
            error = (low && most == int.MaxValue ? "must be at least " + least + unit : "must be between " + least + " and " + most + unit) + ", got " + t;
            return false;
        }
        value = (int)number;
        error = string.Empty;
        return true;
    }
}
