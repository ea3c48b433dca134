using System.Globalization;
using Udpx.Cli;

namespace Udpx.Bench;

/// <summary>
/// File sizes for the bench: decimal suffixes as everywhere in udpx (32K, 64M, 1.5G, powers of 1000),
/// plus binary ones (256Mi, 256MiB, powers of 1024) because peers are usually quoted in MiB.
/// </summary>
internal static class SizeText
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        string t = text.Trim();
        if (t.EndsWith("iB", StringComparison.OrdinalIgnoreCase))
        {
            t = t[..^1];
        }
        if (t.Length >= 2 && (t[^1] == 'i' || t[^1] == 'I'))
        {
            int shift = char.ToLowerInvariant(t[^2]) switch
            {
                'k' => 10,
                'm' => 20,
                'g' => 30,
                't' => 40,
                _ => -1,
            };
            if (shift < 0 || !double.TryParse(t[..^2], NumberStyles.Float, CultureInfo.InvariantCulture, out double number) || number < 0 || double.IsInfinity(number))
            {
                return false;
            }
            bytes = (long)(number * (1L << shift));
            return true;
        }
        return Units.TryParseBytes(text, out bytes);
    }

    /// <summary>Exact binary multiples read as KiB/MiB/GiB; anything else in decimal units, as typed.</summary>
    public static string Format(long bytes)
    {
        string[] binary = ["KiB", "MiB", "GiB", "TiB"];
        for (int i = binary.Length - 1; i >= 0; i--)
        {
            long unit = 1L << (10 * (i + 1));
            if (bytes >= unit && bytes % unit == 0)
            {
                return (bytes / unit).ToString(CultureInfo.InvariantCulture) + " " + binary[i];
            }
        }
        string[] decimalUnits = ["kB", "MB", "GB", "TB"];
        for (int i = decimalUnits.Length - 1; i >= 0; i--)
        {
            double unit = Math.Pow(1000, i + 1);
            if (bytes >= unit)
            {
                return (bytes / unit).ToString("0.###", CultureInfo.InvariantCulture) + " " + decimalUnits[i];
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture) + " B";
    }
}
