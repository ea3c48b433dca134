using System.Globalization;

namespace Udpx.Ui.Text;

/// <summary>Progress as a percentage that reads 100 only when everything is there.</summary>
internal static class Percent
{
    public static double Of(long done, long total, bool complete)
    {
        if (complete && done >= total)
        {
            return 100;
        }
        if (total <= 0)
        {
            return 0;
        }
        double percent = Math.Clamp(done * 100.0 / total, 0, 100);
        return done < total ? Math.Min(percent, 99.9) : percent;
    }

    /// <summary>"0", "42", "99", "100": floored, so 99.9 never reads as done.</summary>
    public static string Text(double percent) => ((int)Math.Floor(Math.Clamp(percent, 0, 100))).ToString(CultureInfo.InvariantCulture);
}
