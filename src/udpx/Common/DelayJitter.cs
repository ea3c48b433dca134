namespace Udpx.Common;

/// <summary>A delay and its jitter, written "50", "50ms", "0.5s", "50±10", "50+-10" or "50ms±10ms" (bare numbers in ms).</summary>
internal readonly record struct DelayJitter(TimeSpan Delay, TimeSpan Jitter)
{
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(60);

    public static bool TryParse(string text, out DelayJitter value, out string error)
    {
        value = default;
        string t = text.Trim();
        int mark = t.IndexOf('±', StringComparison.Ordinal);
        int markLength = 1;
        if (mark < 0)
        {
            mark = t.IndexOf("+-", StringComparison.Ordinal);
            markLength = 2;
        }
        var jitter = TimeSpan.Zero;
        if (!TimeSpanText.TryParse(mark < 0 ? t : t[..mark], TimeSpan.FromMilliseconds(1), out var delay, out _)
            || (mark >= 0 && !TimeSpanText.TryParse(t[(mark + markLength)..], TimeSpan.FromMilliseconds(1), out jitter, out _)))
        {
            error = "expects milliseconds with optional jitter, such as 50, 50ms, 0.5s or 50±10, got '" + text + "'";
            return false;
        }
        if (delay < TimeSpan.Zero || delay > Max || jitter < TimeSpan.Zero || jitter > Max)
        {
            error = "must be between 0 and " + Max.TotalMilliseconds + " ms, got '" + text + "'";
            return false;
        }
        value = new DelayJitter(delay, jitter);
        error = string.Empty;
        return true;
    }
}
