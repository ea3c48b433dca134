using System.Net;
using Udpx.Common;
using Udpx.Modes;

namespace Udpx.Cli;

/// <summary>The value grammars the verbs' options use, with their ranges; the parsing itself is in Common.</summary>
internal static class OptionValues
{
    public static readonly ValueParser<long> Size = SizeText.TryParse;

    public static readonly ValueParser<long> PositiveSize = (string text, out long bytes, out string error) =>
        SizeText.TryParse(text, out bytes, out error) && (bytes > 0 || Fail("must be more than 0 bytes, got '" + text + "'", out error));

    /// <summary>A rate cap of a transfer: at least 1k, as a slower one would never end.</summary>
    public static readonly ValueParser<long> SendRate = (string text, out long rate, out string error) =>
        SizeText.TryParseRate(text, out rate, out error) && (rate >= 1000 || Fail("'" + text + "': use bytes per second such as 500k or 100M (at least 1k)", out error));

    /// <summary>The relay's bottleneck: from 1 byte per second to 1000G.</summary>
    public static readonly ValueParser<long> RelayRate = (string text, out long rate, out string error) =>
        SizeText.TryParseRate(text, out rate, out error) && (rate is >= 1 and <= 1_000_000_000_000 || Fail("must be between 1 byte per second and 1000G, got '" + text + "' (leave it out for no limit)", out error));

    /// <summary>
    /// A file or folder: any text but an empty one. Every file call refuses "" with .NET's own words
    /// ("The value cannot be an empty string. (Parameter 'path')"), some of them by a throw that no catch for
    /// I/O errors takes.
    /// </summary>
    public static readonly ValueParser<string> Path = (string text, out string path, out string error) =>
    {
        path = text;
        error = "expects a path, got ''";
        return text.Length > 0;
    };

    public static readonly ValueParser<double> Percent = PercentText.TryParse;

    /// <summary>Any whole number an int holds (--seed); absent, null.</summary>
    public static readonly ValueParser<int?> Seed = (string text, out int? seed, out string error) =>
    {
        bool parsed = WholeNumberText.TryParse(text, int.MinValue, int.MaxValue, string.Empty, out int value, out error);
        seed = parsed ? value : null;
        return parsed;
    };

    public static readonly ValueParser<DelayJitter> Delay = DelayJitter.TryParse;

    /// <summary>Seconds more than zero: "15", "1.5s", "500ms", "2min".</summary>
    public static readonly ValueParser<TimeSpan> Timeout = (string text, out TimeSpan value, out string error) =>
        TimeSpanText.TryParsePositive(text, TimeSpan.FromSeconds(1), out value, out error);

    /// <summary>Seconds, zero or more (zero: never).</summary>
    public static readonly ValueParser<TimeSpan> Interval = (string text, out TimeSpan value, out string error) =>
        TimeSpanText.TryParse(text, TimeSpan.FromSeconds(1), out value, out error) && (value >= TimeSpan.Zero || Fail("must be zero or more seconds, got '" + text + "'", out error));

    public static readonly ValueParser<HostPort> Connect = (string text, out HostPort value, out string error) => HostPort.TryParse(text, out value, out error);

    public static readonly ValueParser<IPEndPoint> Bind = HostPort.TryParseBind;

    public static readonly ValueParser<ConcurrencyMode> Mode = (string text, out ConcurrencyMode mode, out string error) =>
    {
        error = "'" + text + "': unknown mode; use " + string.Join(", ", ConcurrencyModeNames.All);
        return ConcurrencyModeNames.TryParse(text, out mode);
    };

    public static readonly ValueParser<Uri> HttpUrl = (string text, out Uri url, out string error) =>
    {
        error = "'" + text + "': give an absolute http:// or https:// URL";
        return Uri.TryCreate(text, UriKind.Absolute, out url!) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);
    };

    /// <summary>A whole number of at least <paramref name="least"/> (and at most <paramref name="most"/>, in <paramref name="unit"/>).</summary>
    public static ValueParser<int> WholeNumber(int least, int most = int.MaxValue, string unit = "") =>
        (string text, out int value, out string error) => WholeNumberText.TryParse(text, least, most, unit, out value, out error);

    public static ValueParser<DirectionPair<T>> BothWays<T>(ValueParser<T> parse) =>
        (string text, out DirectionPair<T> pair, out string error) => DirectionPair<T>.TryParse(text, parse, out pair, out error);

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
