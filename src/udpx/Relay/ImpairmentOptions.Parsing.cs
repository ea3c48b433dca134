using System.Globalization;

namespace Udpx.Relay;

/// <summary>
/// Reading impairment flags as the user typed them. Each flag takes one value for both
/// directions or two separated by '/': client→server first, then server→client
/// (<c>--loss 10/0</c> loses 10% of the client's datagrams and none of the replies).
/// </summary>
internal sealed partial record ImpairmentOptions
{
    private const NumberStyles NumberStyle = NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign;

    /// <summary>
    /// Builds the options of both directions from the raw flag values; a null or empty value
    /// leaves that impairment off.
    /// </summary>
    /// <exception cref="RelayOptionsException">A value is malformed or out of range.</exception>
    public static (ImpairmentOptions ClientToServer, ImpairmentOptions ServerToClient) ParseDirections(
        string? loss = null,
        string? duplicate = null,
        string? reorder = null,
        string? corrupt = null,
        string? delay = null,
        string? rate = null)
    {
        var (lossUp, lossDown) = SplitDirections("--loss", loss);
        var (duplicateUp, duplicateDown) = SplitDirections("--duplicate", duplicate);
        var (reorderUp, reorderDown) = SplitDirections("--reorder", reorder);
        var (corruptUp, corruptDown) = SplitDirections("--corrupt", corrupt);
        var (delayUp, delayDown) = SplitDirections("--delay", delay);
        var (rateUp, rateDown) = SplitDirections("--rate", rate);

        return (
            Build(lossUp, duplicateUp, reorderUp, corruptUp, delayUp, rateUp),
            Build(lossDown, duplicateDown, reorderDown, corruptDown, delayDown, rateDown));
    }

    /// <summary>Reads a percentage: "10", "2.5", "10%". Range 0 to 100.</summary>
    public static double ParsePercent(string flag, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.EndsWith('%'))
        {
            trimmed = trimmed[..^1].TrimEnd();
        }

        if (!double.TryParse(trimmed, NumberStyle, CultureInfo.InvariantCulture, out var percent))
        {
            throw new RelayOptionsException($"udpx relay: {flag} expects a percentage such as 10 or 2.5%, got '{text}'");
        }

        if (percent is < 0 or > 100)
        {
            throw new RelayOptionsException(
                Invariant($"udpx relay: {flag} must be between 0 and 100, got {percent:0.###}"));
        }

        return percent;
    }

    /// <summary>
    /// Reads a delay with optional jitter: "50", "50ms", "0.5s", "50±10", "50+-10", "50ms±10ms".
    /// A bare number is milliseconds.
    /// </summary>
    public static (TimeSpan Delay, TimeSpan Jitter) ParseDelay(string flag, string text)
    {
        var trimmed = text.Trim();
        var plusMinus = trimmed.IndexOf('±', StringComparison.Ordinal);
        var markLength = 1;
        if (plusMinus < 0)
        {
            plusMinus = trimmed.IndexOf("+-", StringComparison.Ordinal);
            markLength = 2;
        }

        var delayText = plusMinus < 0 ? trimmed : trimmed[..plusMinus];
        var jitterText = plusMinus < 0 ? null : trimmed[(plusMinus + markLength)..];
        var jitter = TimeSpan.Zero;
        if (!TryParseDuration(delayText, out var delay)
            || (jitterText is not null && !TryParseDuration(jitterText, out jitter)))
        {
            throw new RelayOptionsException(
                $"udpx relay: {flag} expects milliseconds with optional jitter, such as 50, 50ms, 0.5s or 50±10, got '{text}'");
        }

        CheckDelayRange(flag, delay, text);
        CheckDelayRange(flag, jitter, text);
        return (delay, jitter);
    }

    /// <summary>
    /// Reads a rate in bytes per second: "1000", "500k", "100M", "1.5G", optionally followed by
    /// "B" ("100MB"). k, M and G are decimal (10^3, 10^6, 10^9). Bits are refused, not guessed.
    /// </summary>
    public static long ParseRate(string flag, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.EndsWith("/s", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^2].TrimEnd();
        }

        if (trimmed.EndsWith('B'))
        {
            trimmed = trimmed[..^1].TrimEnd();
        }

        var multiplier = 1d;
        if (trimmed.Length > 0)
        {
            var suffix = trimmed[^1];
            multiplier = suffix switch
            {
                'k' or 'K' => 1e3,
                'M' => 1e6,
                'G' => 1e9,
                _ => 1d,
            };

            if (multiplier > 1)
            {
                trimmed = trimmed[..^1].TrimEnd();
            }
        }

        if (!double.TryParse(trimmed, NumberStyle, CultureInfo.InvariantCulture, out var number))
        {
            throw new RelayOptionsException(
                $"udpx relay: {flag} expects bytes per second such as 500k, 100M or 1G (optional B; not bits), got '{text}'");
        }

        var bytesPerSecond = number * multiplier;
        if (bytesPerSecond < 1 || bytesPerSecond > 1e12)
        {
            throw new RelayOptionsException(
                $"udpx relay: {flag} must be between 1 byte per second and 1000G, got '{text}' (leave it out for no limit)");
        }

        return (long)bytesPerSecond;
    }

    private static ImpairmentOptions Build(
        string? loss, string? duplicate, string? reorder, string? corrupt, string? delay, string? rate)
    {
        var (delayValue, jitter) = delay is null ? (TimeSpan.Zero, TimeSpan.Zero) : ParseDelay("--delay", delay);
        return new ImpairmentOptions
        {
            LossPercent = loss is null ? 0 : ParsePercent("--loss", loss),
            DuplicatePercent = duplicate is null ? 0 : ParsePercent("--duplicate", duplicate),
            ReorderPercent = reorder is null ? 0 : ParsePercent("--reorder", reorder),
            CorruptPercent = corrupt is null ? 0 : ParsePercent("--corrupt", corrupt),
            Delay = delayValue,
            Jitter = jitter,
            RateBytesPerSecond = rate is null ? 0 : ParseRate("--rate", rate),
        };
    }

    /// <summary>"10" gives 10 both ways, "10/5" gives 10 client→server and 5 server→client.</summary>
    private static (string? ClientToServer, string? ServerToClient) SplitDirections(string flag, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        // "10MB/s/5MB/s": a "/s" belongs to the rate before it, not to a second direction.
        var parts = text.Split('/');
        var values = new List<string>(2);
        foreach (var part in parts)
        {
            if (values.Count > 0 && part.Trim().Equals("s", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            values.Add(part);
        }

        return values.Count switch
        {
            1 => (values[0], values[0]),
            2 => (values[0], values[1]),
            _ => throw new RelayOptionsException(
                $"udpx relay: {flag} takes one value for both directions or two as CLIENT-TO-SERVER/SERVER-TO-CLIENT, got '{text}'"),
        };
    }

    private static bool TryParseDuration(string text, out TimeSpan duration)
    {
        var trimmed = text.Trim();
        var scale = 1d;
        if (trimmed.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^2];
        }
        else if (trimmed.EndsWith('s') || trimmed.EndsWith('S'))
        {
            trimmed = trimmed[..^1];
            scale = 1000;
        }

        if (double.TryParse(trimmed.TrimEnd(), NumberStyle, CultureInfo.InvariantCulture, out var milliseconds)
            && double.IsFinite(milliseconds)
            && Math.Abs(milliseconds * scale) <= MaxDelay.TotalMilliseconds * 10)
        {
            duration = TimeSpan.FromMilliseconds(milliseconds * scale);
            return true;
        }

        duration = TimeSpan.Zero;
        return false;
    }

    private static void CheckDelayRange(string flag, TimeSpan value, string text)
    {
        if (value < TimeSpan.Zero || value > MaxDelay)
        {
            throw new RelayOptionsException(
                Invariant($"udpx relay: {flag} must be between 0 and {MaxDelay.TotalMilliseconds:0} ms, got '{text}'"));
        }
    }
}
