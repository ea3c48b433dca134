using System.Globalization;

namespace Udpx.Ui.Text;

/// <summary>Byte counts as people read them: binary units, three significant digits, at most 8 characters.</summary>
internal static class ByteSize
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    public static string Format(long bytes)
    {
        if (bytes < 0)
        {
            return "-" + Format(bytes == long.MinValue ? long.MaxValue : -bytes);
        }
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }
        double value = bytes;
        int unit = -1;
        // Past 1023.5 the rounded figure would print as "1024": move to the next unit instead.
        while (value >= 1023.5 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return Scaled(value) + " " + Units[unit];
    }

    /// <summary>Three significant digits: 1.23, 12.3, 123.</summary>
    internal static string Scaled(double value)
    {
        string format = value < 9.995 ? "0.00" : value < 99.95 ? "0.0" : "0";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }
}
