using System.Globalization;

namespace Udpx.Common;

/// <summary>
/// Byte sizes and rates, read and printed. The one grammar of every option (README, "Sizes and rates"): a number,
/// then an optional prefix in any case, k M G T for powers of 1000 and Ki Mi Gi Ti for powers of 1024, then an
/// optional "B" and, for a rate, "/s". A final lowercase "b" or "bit" means bits and is refused rather than guessed.
/// </summary>
internal static class SizeText
{
    public const string Example = "such as 500k, 100M or 256Mi";

    public static bool TryParse(string text, out long bytes) => TryParse(text, out bytes, out _);

    /// <summary>Reads a size; <paramref name="error"/> says what was wrong, to follow the flag's name.</summary>
    public static bool TryParse(string text, out long bytes, out string error)
    {
        bytes = 0;
        error = "expects a size " + Example + " (bytes; not bits), got '" + text + "'";
        string t = text.Trim();
        if (t.EndsWith("bit", StringComparison.OrdinalIgnoreCase) || t.EndsWith("bps", StringComparison.OrdinalIgnoreCase) || (t.Length > 1 && t[^1] == 'b' && !char.IsDigit(t[^2])))
        {
            return false;
        }
        if (t.EndsWith('B'))
        {
            t = t[..^1].TrimEnd();
        }
        double factor = 1;
        if (t.Length >= 2 && t[^1] is 'i' or 'I')
        {
            factor = Prefix(t[^2], 1024);
            t = t[..^2];
        }
        else if (t.Length >= 1 && char.IsLetter(t[^1]))
        {
            factor = Prefix(t[^1], 1000);
            t = t[..^1];
        }
        if (factor == 0 || !double.TryParse(t.TrimEnd(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number) || !double.IsFinite(number * factor) || number * factor >= long.MaxValue)
        {
            return false;
        }
        bytes = (long)(number * factor);
        return true;
    }

    /// <summary>Reads a rate in bytes per second: a size, optionally followed by "/s" ("100M", "100MB/s").</summary>
    public static bool TryParseRate(string text, out long bytesPerSecond, out string error)
    {
        string t = text.Trim();
        if (t.EndsWith("/s", StringComparison.OrdinalIgnoreCase))
        {
            t = t[..^2];
        }
        bool ok = TryParse(t, out bytesPerSecond, out _);
        error = ok ? string.Empty : "expects bytes per second " + Example + " (optional B or B/s; not bits), got '" + text + "'";
        return ok;
    }

    private static double Prefix(char prefix, double unit) => char.ToLowerInvariant(prefix) switch
    {
        'k' => unit,
        'm' => unit * unit,
        'g' => unit * unit * unit,
        't' => unit * unit * unit * unit,
        _ => 0,
    };

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
