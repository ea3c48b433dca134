using System.Globalization;
using Udpx.Common;

namespace Udpx.Ui.Text;

/// <summary>Elapsed times and round-trip times.</summary>
internal static class DurationText
{
    /// <summary>"04:07" under an hour, "1:04:07" beyond.</summary>
    public static string Elapsed(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }
        long seconds = (long)span.TotalSeconds;
        long hours = seconds / 3600;
        long minutes = seconds / 60 % 60;
        string clock = (minutes.ToString("00", CultureInfo.InvariantCulture)) + ":" + (seconds % 60).ToString("00", CultureInfo.InvariantCulture);
        return hours > 0 ? hours.ToString(CultureInfo.InvariantCulture) + ":" + clock : clock;
    }

    /// <summary>"0.42 ms", "12.3 ms", "1.20 s"; a dash when not measured yet.</summary>
    public static string Rtt(long micros)
    {
        if (micros <= 0)
        {
            return "-";
        }
        double ms = micros / 1000.0;
        return ms < 999.5 ? Format.Scaled(ms) + " ms" : Format.Scaled(ms / 1000) + " s";
    }

    /// <summary>"0.84 s", "12.3 s", "125 s".</summary>
    public static string Seconds(double seconds) => Format.Scaled(Math.Max(0, seconds)) + " s";

    /// <summary>Seconds with microseconds, as the course servers stamped each datagram: "12.345678".</summary>
    public static string Stamp(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }
        return (micros / 1_000_000).ToString(CultureInfo.InvariantCulture) + "." + (micros % 1_000_000).ToString("000000", CultureInfo.InvariantCulture);
    }
}
