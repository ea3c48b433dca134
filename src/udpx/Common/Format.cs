using System.Globalization;

namespace Udpx.Common;

/// <summary>Human-readable sizes, rates and durations for the headless output.</summary>
internal static class Format
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Bytes(double bytes)
    {
        int unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < Units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return unit == 0
            ? ((long)bytes).ToString(CultureInfo.InvariantCulture) + " B"
            : bytes.ToString(bytes >= 100 ? "F0" : bytes >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture) + " " + Units[unit];
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
