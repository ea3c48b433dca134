using System.Globalization;

namespace Udpx.Ui.Text;

/// <summary>Transfer rates: "12.3 MiB/s", never more than 10 characters.</summary>
internal static class RateText
{
    public static string Format(double bytesPerSecond)
    {
        if (double.IsNaN(bytesPerSecond) || bytesPerSecond <= 0)
        {
            return "0 B/s";
        }
        if (bytesPerSecond < 1023.5)
        {
            return Math.Round(bytesPerSecond).ToString(CultureInfo.InvariantCulture) + " B/s";
        }
        return ByteSize.Format((long)Math.Min(bytesPerSecond, long.MaxValue)) + "/s";
    }
}
