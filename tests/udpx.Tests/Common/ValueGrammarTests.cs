using System.Net;
using Udpx.Common;

namespace Udpx.Tests.Common;

/// <summary>The one grammar of option values (README, "Sizes, rates and durations").</summary>
public sealed class ValueGrammarTests
{
    [Theory]
    [InlineData("100m", 100_000_000)]
    [InlineData("100M", 100_000_000)]
    [InlineData("500k", 500_000)]
    [InlineData("500K", 500_000)]
    [InlineData("2t", 2_000_000_000_000)]
    [InlineData("256mi", 256L << 20)]
    [InlineData("256MiB", 256L << 20)]
    [InlineData("1ki", 1024)]
    [InlineData("0", 0)]
    [InlineData(" 64 MB ", 64_000_000)]
    public void Sizes_read_prefixes_in_any_case(string text, long expected)
    {
        Assert.True(SizeText.TryParse(text, out long bytes, out _));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("100Mb")]
    [InlineData("100mbit")]
    [InlineData("1e3")]
    [InlineData("-5")]
    [InlineData("5x")]
    [InlineData("")]
    [InlineData("99999999999T")]
    public void Sizes_in_bits_signs_or_unknown_units_are_refused(string text)
    {
        Assert.False(SizeText.TryParse(text, out _, out string error));
        Assert.Contains("'" + text + "'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100m", 100_000_000)]
    [InlineData("12.5MB/s", 12_500_000)]
    [InlineData("1Mi/s", 1L << 20)]
    public void Rates_are_sizes_per_second(string text, long expected)
    {
        Assert.True(SizeText.TryParseRate(text, out long rate, out _));
        Assert.Equal(expected, rate);
    }

    [Theory]
    [InlineData("15", 15_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("500MS", 500)]
    [InlineData("2min", 120_000)]
    [InlineData("1h", 3_600_000)]
    public void Durations_are_seconds_unless_a_unit_says_otherwise(string text, double milliseconds)
    {
        Assert.True(TimeSpanText.TryParse(text, TimeSpan.FromSeconds(1), out var duration, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("soon")]
    public void Timeouts_must_be_more_than_zero(string text) =>
        Assert.False(TimeSpanText.TryParsePositive(text, TimeSpan.FromSeconds(1), out _, out _));

    public static TheoryData<string> NotFinite => ["nan", "NaN", "-nan", "inf", "Infinity", "-Infinity", "1e999", "∞"];

    // double.TryParse reads these whatever the NumberStyles, and NaN passes every range check ("is < 0 or > 100" is false).
    [Theory]
    [MemberData(nameof(NotFinite))]
    public void Percentages_are_finite(string text)
    {
        Assert.False(PercentText.TryParse(text, out _, out string error));
        Assert.Contains("'" + text + "'", error, StringComparison.Ordinal);
        Assert.False(PercentText.TryParse(text + "%", out _, out _));
    }

    [Theory]
    [MemberData(nameof(NotFinite))]
    public void Sizes_rates_and_durations_are_finite(string text)
    {
        Assert.False(SizeText.TryParse(text, out _, out _));
        Assert.False(SizeText.TryParseRate(text + "/s", out _, out _));
        Assert.False(TimeSpanText.TryParse(text, TimeSpan.FromSeconds(1), out _, out _));
        Assert.False(TimeSpanText.TryParse(text + " s", TimeSpan.FromSeconds(1), out _, out _));
        Assert.False(DelayJitter.TryParse(text, out _, out _));
        Assert.False(DelayJitter.TryParse("50±" + text, out _, out _));
    }

    [Fact]
    public void A_pair_is_client_to_server_then_server_to_client_and_a_rate_keeps_its_per_second()
    {
        Assert.True(DirectionPair<long>.TryParse("10MB/s/5MB/s", SizeText.TryParseRate, out var rates, out _));
        Assert.Equal(new DirectionPair<long>(10_000_000, 5_000_000), rates);
        Assert.True(DirectionPair<double>.TryParse("7", PercentText.TryParse, out var same, out _));
        Assert.Equal(new DirectionPair<double>(7, 7), same);
    }

    [Theory]
    [InlineData("9000", "0.0.0.0:9000")]
    [InlineData(":0", "0.0.0.0:0")]
    [InlineData("127.0.0.1:7000", "127.0.0.1:7000")]
    [InlineData("[::1]:7000", "[::1]:7000")]
    public void Bind_endpoints_take_a_bare_port(string text, string expected)
    {
        Assert.True(HostPort.TryParseBind(text, out var endPoint, out _));
        Assert.Equal(IPEndPoint.Parse(expected), endPoint);
    }

    [Theory]
    [InlineData("localhost", "is not HOST:PORT")]
    [InlineData("::1:9000", "brackets")]
    [InlineData("host:0", "port must be a number from 1 to 65535")]
    public void Connect_endpoints_need_host_and_port(string text, string message)
    {
        Assert.False(HostPort.TryParse(text, out _, out string error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connect_endpoint_keeps_a_name_until_it_is_resolved()
    {
        Assert.True(HostPort.TryParse("[::1]:9000", out var v6, out _));
        Assert.Equal("[::1]:9000", v6.ToString());
        Assert.True(HostPort.TryParse("example.invalid:9000", out var named, out _));
        Assert.Equal(new HostPort("example.invalid", 9000), named);
    }

    [Theory]
    [InlineData("8", 8)]
    [InlineData(" 64 ", 64)]
    [InlineData("+3", 3)]
    [InlineData("-3", -3)]
    public void Whole_numbers_are_decimal_digits_with_an_optional_sign(string text, int expected)
    {
        Assert.True(WholeNumberText.TryParse(text, -10, 100, string.Empty, out int value, out _));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1e3", "expects a whole number, got '1e3'")]
    [InlineData("0x10", "expects a whole number, got '0x10'")]
    [InlineData("1.5", "expects a whole number, got '1.5'")]
    [InlineData("-", "expects a whole number, got '-'")]
    [InlineData("", "expects a whole number, got ''")]
    [InlineData("101", "must be between -10 and 100 blocks, got 101")]
    [InlineData("99999999999999999999999", "must be between -10 and 100 blocks, got 99999999999999999999999")]
    [InlineData("-99999999999", "must be between -10 and 100 blocks, got -99999999999")]
    public void Other_text_and_numbers_outside_the_range_are_named_as_such(string text, string error)
    {
        Assert.False(WholeNumberText.TryParse(text, -10, 100, " blocks", out _, out string message));
        Assert.Equal(error, message);
    }

    [Fact]
    public void Without_an_upper_bound_too_small_reads_at_least_and_too_large_names_the_largest()
    {
        Assert.False(WholeNumberText.TryParse("0", 1, int.MaxValue, string.Empty, out _, out string message));
        Assert.Equal("must be at least 1, got 0", message);
        Assert.False(WholeNumberText.TryParse("-99999999999999999999", 1, int.MaxValue, string.Empty, out _, out message));
        Assert.Equal("must be at least 1, got -99999999999999999999", message);
        Assert.False(WholeNumberText.TryParse("2147483648", 1, int.MaxValue, string.Empty, out _, out message));
        Assert.Equal("must be between 1 and 2147483647, got 2147483648", message);
    }
}
