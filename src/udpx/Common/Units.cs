using System.Globalization;

namespace Udpx.Common;

/// <summary>Parses sizes and rates written with decimal suffixes: 500k, 100M, 1.5G (bytes, powers of 1000).</summary>
internal static class Units
{
    public static bool TryParseBytes(string text, out long value)
    {
        value = 0;
        text = text.Trim();
        if (text.EndsWith("B/s", StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^3];
        }
        else if (text.EndsWith('B') || text.EndsWith('b'))
        {
            text = text[..^1];
        }
        double factor = 1;
        if (text.Length > 0 && char.IsLetter(text[^1]))
        {
            factor = char.ToLowerInvariant(text[^1]) switch
            {
                'k' => 1e3,
                'm' => 1e6,
                'g' => 1e9,
                't' => 1e12,
                _ => 0,
            };
            text = text[..^1];
        }
        if (factor == 0 || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || number < 0 || double.IsInfinity(number))
        {
            return false;
        }
        value = (long)(number * factor);
        return true;
    }
}
