using System.Globalization;

namespace Udpx.Common;

/// <summary>Human-readable sizes, rates and durations for the headless output.</summary>
internal static class Format
{
    private static readonly string[] BinaryUnits = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    private static readonly string[] DecimalRateUnits = ["kB/s", "MB/s", "GB/s", "TB/s"];

    /// <summary>Byte counts in binary units, three significant digits, at most 8 characters: "1023 B", "1.50 KiB", "10.0 MiB".</summary>
    public static string Bytes(double bytes)
    {
        if (bytes < 0)
        {
            return "-" + Bytes(-bytes);
        }
        if (bytes < 1023.5)
        {
            return ((long)Math.Round(bytes)).ToString(CultureInfo.InvariantCulture) + " B";
        }
        double value = bytes;
        int unit = -1;
        // Past 1023.5 the rounded figure would print as "1024": move to the next unit instead.
        while (value >= 1023.5 && unit < BinaryUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return Scaled(value) + " " + BinaryUnits[unit];
    }

    /// <summary>
    /// A rate in decimal units (10^3 bytes per second and up, as <see cref="Rate"/>), scaled to the figure, three
    /// significant digits, at most 10 characters: "512 B/s", "150 kB/s", "12.3 MB/s". For the terminal UI's
    /// columns; the same transfer reads in the same unit headless (MB/s).
    /// </summary>
    public static string CompactRate(double bytesPerSecond)
    {
        if (double.IsNaN(bytesPerSecond) || bytesPerSecond <= 0)
        {
            return "0 B/s";
        }
        if (bytesPerSecond < 999.5)
        {
            return Math.Round(bytesPerSecond).ToString(CultureInfo.InvariantCulture) + " B/s";
        }
        double value = bytesPerSecond;
        int unit = -1;
        while (value >= 999.5 && unit < DecimalRateUnits.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return Scaled(value) + " " + DecimalRateUnits[unit];
    }

    /// <summary>Three significant digits: 1.23, 12.3, 123.</summary>
    public static string Scaled(double value)
    {
        string format = value < 9.995 ? "0.00" : value < 99.95 ? "0.0" : "0";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>Decimal megabytes per second, as network tools report.</summary>
    public static string Rate(double bytesPerSecond) =>
        (bytesPerSecond / 1e6).ToString(bytesPerSecond >= 1e8 ? "F0" : "F1", CultureInfo.InvariantCulture) + " MB/s";

    public static string Seconds(double seconds) =>
        seconds.ToString(seconds >= 10 ? "F1" : "F3", CultureInfo.InvariantCulture) + " s";

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Hex(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }
        return string.Create(bytes.Length * 3 - 1, bytes.ToArray(), static (span, b) =>
        {
            const string digits = "0123456789abcdef";
            for (int i = 0; i < b.Length; i++)
            {
                if (i > 0)
                {
                    span[(i * 3) - 1] = ' ';
                }
                span[i * 3] = digits[b[i] >> 4];
                span[(i * 3) + 1] = digits[b[i] & 15];
            }
        });
    }
}
