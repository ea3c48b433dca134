using System.Globalization;

namespace Udpx.Common;

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

    /// <summary>In the unit that divides it exactly with the smallest number (64 MB, 256 MiB, 32 kB); decimal otherwise.</summary>
    public static string Format(long bytes)
    {
        string[] binary = ["B", "KiB", "MiB", "GiB", "TiB"];
        string[] decimalUnits = ["B", "kB", "MB", "GB", "TB"];
        int b = 0;
        while (b + 1 < binary.Length && bytes >= 1L << (10 * (b + 1)) && bytes % (1L << (10 * (b + 1))) == 0)
        {
            b++;
        }
        int d = 0;
        long unit = 1;
        while (d + 1 < decimalUnits.Length && bytes >= unit * 1000 && bytes % (unit * 1000) == 0)
        {
            d++;
            unit *= 1000;
        }
        long binaryQuotient = bytes >> (10 * b);
        long decimalQuotient = bytes / unit;
        if (b > 0 && binaryQuotient < decimalQuotient)
        {
            return binaryQuotient.ToString(CultureInfo.InvariantCulture) + " " + binary[b];
        }
        if (d > 0 || bytes < 1000)
        {
            return decimalQuotient.ToString(CultureInfo.InvariantCulture) + " " + decimalUnits[d];
        }
        int i = (int)Math.Min(decimalUnits.Length - 1, Math.Floor(Math.Log10(bytes) / 3));
        return (bytes / Math.Pow(1000, i)).ToString("0.###", CultureInfo.InvariantCulture) + " " + decimalUnits[i];
    }
}
