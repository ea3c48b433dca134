using System.Globalization;

namespace Udpx.Common;

/// <summary>
/// A duration: a number and an optional unit in any case, "ms", "s", "min", "h" or "d" ("500ms", "1.5s", "2min", "7d"); a bare
/// number is in the option's own unit (seconds for timeouts, milliseconds for the relay's delay).
/// </summary>
internal static class TimeSpanText
{
    public static bool TryParse(string text, TimeSpan bareUnit, out TimeSpan duration, out string error)
    {
        string t = text.Trim();
        TimeSpan unit = bareUnit;
        foreach (var (suffix, value) in Suffixes)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                t = t[..^suffix.Length].TrimEnd();
                unit = value;
                break;
            }
        }
        duration = TimeSpan.Zero;
        error = "expects a duration such as " + (bareUnit == TimeSpan.FromMilliseconds(1) ? "50 (ms), 50ms or 0.5s" : "5 (seconds), 1.5s, 500ms or 2min") + ", got '" + text + "'";
        if (!double.TryParse(t, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out double number)
            || !double.IsFinite(number) || Math.Abs(number * unit.TotalDays) > 366)
        {
            return false;
        }
        duration = TimeSpan.FromTicks((long)(number * unit.Ticks));
        error = string.Empty;
        return true;
    }

    /// <summary>As <see cref="TryParse"/>, and more than zero.</summary>
    public static bool TryParsePositive(string text, TimeSpan bareUnit, out TimeSpan duration, out string error)
    {
        if (!TryParse(text, bareUnit, out duration, out error))
        {
            return false;
        }
        if (duration <= TimeSpan.Zero)
        {
            error = "must be more than 0 seconds, got '" + text + "'";
            return false;
        }
        return true;
    }

    // Longest first: "ms" before "s", "min" before nothing else that ends it.
    private static readonly (string Suffix, TimeSpan Unit)[] Suffixes =
    [
        ("ms", TimeSpan.FromMilliseconds(1)),
        ("min", TimeSpan.FromMinutes(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("h", TimeSpan.FromHours(1)),
        ("d", TimeSpan.FromDays(1)),
    ];
}
