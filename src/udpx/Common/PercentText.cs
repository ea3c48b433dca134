using System.Globalization;

namespace Udpx.Common;

/// <summary>A percentage: "10", "2.5", "10%", from 0 to 100.</summary>
internal static class PercentText
{
    public static bool TryParse(string text, out double percent, out string error)
    {
        string t = text.Trim();
        if (t.EndsWith('%'))
        {
            t = t[..^1].TrimEnd();
        }
        if (!double.TryParse(t, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out percent)
            // TryParse reads "NaN" and "Infinity" whatever the styles, and NaN passes the range check below.
            || !double.IsFinite(percent))
        {
            error = "expects a percentage such as 10 or 2.5%, got '" + text + "'";
            return false;
        }
        if (percent is < 0 or > 100)
        {
            error = "must be between 0 and 100, got " + percent.ToString("0.###", CultureInfo.InvariantCulture);
            return false;
        }
        error = string.Empty;
        return true;
    }
}
