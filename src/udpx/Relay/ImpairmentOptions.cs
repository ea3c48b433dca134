using System.Globalization;
using System.Text;

namespace Udpx.Relay;

/// <summary>
/// What the relay does to datagrams going one way. Every property checks its value when set,
/// so an instance that exists is valid; a bad value set in code throws <see cref="ArgumentOutOfRangeException"/>
/// naming the command-line flag it stands for (the command line checks its values before, with the same ranges).
/// </summary>
internal sealed record ImpairmentOptions
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MaxReorderHold = TimeSpan.FromSeconds(10);

    /// <summary>No impairment: every datagram is forwarded at once and unchanged.</summary>
    public static ImpairmentOptions None { get; } = new();

    /// <summary>Chance, in percent, that a datagram is dropped.</summary>
    public double LossPercent
    {
        get;
        init => field = CheckPercent("--loss", value);
    }

    /// <summary>Chance, in percent, that a datagram is sent twice.</summary>
    public double DuplicatePercent
    {
        get;
        init => field = CheckPercent("--duplicate", value);
    }

    /// <summary>Chance, in percent, that a datagram is held back and sent after the next one.</summary>
    public double ReorderPercent
    {
        get;
        init => field = CheckPercent("--reorder", value);
    }

    /// <summary>Chance, in percent, that one to three bits of a datagram are flipped.</summary>
    public double CorruptPercent
    {
        get;
        init => field = CheckPercent("--corrupt", value);
    }

    /// <summary>Fixed one-way delay added to every datagram.</summary>
    public TimeSpan Delay
    {
        get;
        init => field = CheckDuration("--delay", value, MaxDelay);
    }

    /// <summary>Each datagram's delay is drawn uniformly from Delay ± Jitter (never below zero).</summary>
    public TimeSpan Jitter
    {
        get;
        init => field = CheckDuration("--delay jitter", value, MaxDelay);
    }

    /// <summary>Bottleneck rate in bytes per second; 0 means unlimited.</summary>
    public long RateBytesPerSecond
    {
        get;
        init => field = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), Invariant($"--rate must be greater than 0, got {value}"));
    }

    /// <summary>
    /// Longest time a reordered datagram waits for a successor before it is sent anyway,
    /// counted from when it would have been sent.
    /// </summary>
    public TimeSpan ReorderHold
    {
        get;
        init => field = value > TimeSpan.Zero
            ? CheckDuration("reorder hold", value, MaxReorderHold)
            : throw new ArgumentOutOfRangeException(nameof(value), "the reorder hold must be longer than zero");
    } = TimeSpan.FromMilliseconds(10);

    /// <summary>True when a datagram may be changed, dropped, held or paced.</summary>
    public bool IsImpaired =>
        LossPercent > 0 || DuplicatePercent > 0 || ReorderPercent > 0 || CorruptPercent > 0
        || Delay > TimeSpan.Zero || Jitter > TimeSpan.Zero || RateBytesPerSecond > 0;

    /// <summary>A short human summary such as "loss 10%, delay 50±10 ms, rate 1 MB/s".</summary>
    public string Describe()
    {
        if (!IsImpaired)
        {
            return "no impairment";
        }

        var text = new StringBuilder();
        AppendPercent(text, "loss", LossPercent);
        AppendPercent(text, "duplicate", DuplicatePercent);
        AppendPercent(text, "reorder", ReorderPercent);
        AppendPercent(text, "corrupt", CorruptPercent);
        if (Delay > TimeSpan.Zero || Jitter > TimeSpan.Zero)
        {
            Separate(text).Append(Invariant($"delay {Delay.TotalMilliseconds:0.###}"));
            if (Jitter > TimeSpan.Zero)
            {
                text.Append(Invariant($"±{Jitter.TotalMilliseconds:0.###}"));
            }

            text.Append(" ms");
        }

        if (RateBytesPerSecond > 0)
        {
            Separate(text).Append("rate ").Append(DescribeRate(RateBytesPerSecond));
        }

        return text.ToString();
    }

    internal static string DescribeRate(long bytesPerSecond) => bytesPerSecond switch
    {
        >= 1_000_000_000 => Invariant($"{bytesPerSecond / 1e9:0.###} GB/s"),
        >= 1_000_000 => Invariant($"{bytesPerSecond / 1e6:0.###} MB/s"),
        >= 1_000 => Invariant($"{bytesPerSecond / 1e3:0.###} kB/s"),
        _ => Invariant($"{bytesPerSecond} B/s"),
    };

    private static void AppendPercent(StringBuilder text, string name, double percent)
    {
        if (percent > 0)
        {
            Separate(text).Append(Invariant($"{name} {percent:0.###}%"));
        }
    }

    private static StringBuilder Separate(StringBuilder text) => text.Length == 0 ? text : text.Append(", ");

    private static double CheckPercent(string flag, double value) =>
        value is >= 0 and <= 100
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), Invariant($"{flag} must be between 0 and 100, got {value:0.###}"));

    private static TimeSpan CheckDuration(string what, TimeSpan value, TimeSpan max) =>
        value >= TimeSpan.Zero && value <= max
            ? value
            : throw new ArgumentOutOfRangeException(
                nameof(value), Invariant($"{what} must be between 0 and {max.TotalMilliseconds:0} ms, got {value.TotalMilliseconds:0.###} ms"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
