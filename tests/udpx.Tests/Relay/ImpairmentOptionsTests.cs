using System.Net;
using System.Net.Sockets;
using Udpx.Cli;
using Udpx.Common;
using Udpx.Relay;

namespace Udpx.Tests.Relay;

/// <summary>The relay's flags as the command line reads them (values by the grammar in Common, ranges by Cli/OptionValues).</summary>
public class ImpairmentOptionsTests
{
    private static double Percent(string text) => PercentText.TryParse(text, out double value, out string error) ? value : throw new UserError(ExitCodes.Usage, "--loss " + error);

    private static DelayJitter Delay(string text) => DelayJitter.TryParse(text, out var value, out string error) ? value : throw new UserError(ExitCodes.Usage, "--delay " + error);

    private static long Rate(string text) => OptionValues.RelayRate(text, out long value, out string error) ? value : throw new UserError(ExitCodes.Usage, "--rate " + error);

    [Theory]
    [InlineData("10", 10)]
    [InlineData("10%", 10)]
    [InlineData(" 2.5 % ", 2.5)]
    [InlineData("0", 0)]
    [InlineData("100", 100)]
    public void Percent_accepts_plain_and_percent_sign(string text, double expected) =>
        Assert.Equal(expected, Percent(text));

    [Fact]
    public void Percent_out_of_range_names_the_flag_and_the_value()
    {
        var error = Assert.Throws<UserError>(() => RelayFlags.Parse("127.0.0.1:0", "127.0.0.1:9", loss: "120"));
        Assert.Equal("--loss must be between 0 and 100, got 120", error.Message);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("1e3")]
    [InlineData("10%%")]
    public void Percent_that_is_not_a_number_is_refused(string text)
    {
        var error = Assert.Throws<UserError>(() => RelayFlags.Parse("127.0.0.1:0", "127.0.0.1:9", corrupt: text));
        Assert.StartsWith("--corrupt expects a percentage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_percent_is_refused() =>
        Assert.Equal(
            "--duplicate must be between 0 and 100, got -1",
            Assert.Throws<UserError>(() => RelayFlags.Parse("127.0.0.1:0", "127.0.0.1:9", duplicate: "-1")).Message);

    [Theory]
    [InlineData("50", 50, 0)]
    [InlineData("50ms", 50, 0)]
    [InlineData("0.5s", 500, 0)]
    [InlineData("50±10", 50, 10)]
    [InlineData("50+-10", 50, 10)]
    [InlineData("50ms±10ms", 50, 10)]
    [InlineData("0±5", 0, 5)]
    public void Delay_reads_milliseconds_and_jitter(string text, double delayMs, double jitterMs)
    {
        var (delay, jitter) = Delay(text);
        Assert.Equal(TimeSpan.FromMilliseconds(delayMs), delay);
        Assert.Equal(TimeSpan.FromMilliseconds(jitterMs), jitter);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("50±")]
    [InlineData("±10")]
    public void Malformed_delay_is_refused(string text)
    {
        var error = Assert.Throws<UserError>(() => Delay(text));
        Assert.StartsWith("--delay expects milliseconds", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("61s")]
    public void Delay_out_of_range_is_refused(string text) =>
        Assert.StartsWith(
            "--delay must be between 0 and 60000 ms",
            Assert.Throws<UserError>(() => Delay(text)).Message,
            StringComparison.Ordinal);

    [Theory]
    [InlineData("1000", 1_000)]
    [InlineData("500k", 500_000)]
    [InlineData("500K", 500_000)]
    [InlineData("1.5k", 1_500)]
    [InlineData("100M", 100_000_000)]
    [InlineData("100MB", 100_000_000)]
    [InlineData("100 MB/s", 100_000_000)]
    [InlineData("2G", 2_000_000_000)]
    [InlineData("64B", 64)]
    public void Rate_is_bytes_per_second_with_decimal_suffixes(string text, long expected) =>
        Assert.Equal(expected, Rate(text));

    [Theory]
    [InlineData("100Mb")]
    [InlineData("100Mbit")]
    [InlineData("fast")]
    public void Rate_in_bits_or_words_is_refused(string text) =>
        Assert.Contains(
            "bytes per second",
            Assert.Throws<UserError>(() => Rate(text)).Message,
            StringComparison.Ordinal);

    [Fact]
    public void Zero_rate_is_refused() =>
        Assert.StartsWith(
            "--rate must be between 1 byte per second",
            Assert.Throws<UserError>(() => Rate("0")).Message,
            StringComparison.Ordinal);

    [Fact]
    public void One_value_applies_to_both_directions()
    {
        var (up, down) = RelayFlags.Directions(loss: "10", delay: "20±5", rate: "1M");
        Assert.Equal(up, down);
        Assert.Equal(10, up.LossPercent);
        Assert.Equal(TimeSpan.FromMilliseconds(20), up.Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(5), up.Jitter);
        Assert.Equal(1_000_000, up.RateBytesPerSecond);
    }

    [Fact]
    public void Two_values_are_client_to_server_then_server_to_client()
    {
        var (up, down) = RelayFlags.Directions(loss: "10/0", corrupt: "0/1%", rate: "10MB/s/5MB/s");
        Assert.Equal(10, up.LossPercent);
        Assert.Equal(0, down.LossPercent);
        Assert.Equal(0, up.CorruptPercent);
        Assert.Equal(1, down.CorruptPercent);
        Assert.Equal(10_000_000, up.RateBytesPerSecond);
        Assert.Equal(5_000_000, down.RateBytesPerSecond);
    }

    [Fact]
    public void Three_values_are_refused() =>
        Assert.StartsWith(
            "--loss takes one value for both directions or two",
            Assert.Throws<UserError>(() => RelayFlags.Directions(loss: "1/2/3")).Message,
            StringComparison.Ordinal);

    [Fact]
    public void Bad_value_in_one_direction_names_the_flag() =>
        Assert.Equal(
            "--loss must be between 0 and 100, got 120",
            Assert.Throws<UserError>(() => RelayFlags.Directions(loss: "5/120")).Message);

    [Fact]
    public void Record_refuses_invalid_values_set_in_code() =>
        Assert.StartsWith(
            "--reorder must be between 0 and 100, got 101",
            Assert.Throws<ArgumentOutOfRangeException>(() => new ImpairmentOptions { ReorderPercent = 101 }).Message,
            StringComparison.Ordinal);

    [Fact]
    public void Nothing_given_means_no_impairment()
    {
        var (up, down) = RelayFlags.Directions();
        Assert.False(up.IsImpaired);
        Assert.False(down.IsImpaired);
        Assert.Equal("no impairment", up.Describe());
    }

    [Fact]
    public void Describe_summarises_the_impairments()
    {
        var (up, _) = RelayFlags.Directions(loss: "10", delay: "50±10", rate: "1M");
        Assert.Equal("loss 10%, delay 50±10 ms, rate 1 MB/s", up.Describe());
    }

    [Fact]
    public void Relay_options_parse_endpoints_seed_and_stats()
    {
        var options = RelayFlags.Parse("127.0.0.1:0", "[::1]:9000", loss: "10%", seed: "42", stats: "5");
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 0), options.Listen);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9000), options.Server);
        Assert.Equal(10, options.ClientToServer.LossPercent);
        Assert.Equal(10, options.ServerToClient.LossPercent);
        Assert.Equal(42, options.Seed);
        Assert.Equal(TimeSpan.FromSeconds(5), options.StatsInterval);
    }

    [Fact]
    public void Listen_on_a_bare_port_means_every_interface() =>
        Assert.Equal(new IPEndPoint(IPAddress.Any, 9000), RelayFlags.Parse("9000", "127.0.0.1:9").Listen);

    [Fact]
    public void Host_names_resolve_preferring_ipv4()
    {
        var endpoint = RelayFlags.Parse("127.0.0.1:0", "localhost:9000").Server;
        Assert.True(IPAddress.IsLoopback(endpoint.Address));
        Assert.Equal(9000, endpoint.Port);
    }

    [Theory]
    [InlineData("nope", "--to 'nope' is not HOST:PORT")]
    [InlineData("127.0.0.1:0", "--to '127.0.0.1:0': port must be a number from 1 to 65535")]
    [InlineData("127.0.0.1:70000", "--to '127.0.0.1:70000': port must be a number from 1 to 65535")]
    [InlineData("::1:9000", "--to '::1:9000': write IPv6 addresses in brackets, as [::1]:9000")]
    public void Bad_server_address_gives_one_clear_line(string text, string expected) =>
        Assert.Equal(expected, Assert.Throws<UserError>(() => RelayFlags.Parse("127.0.0.1:0", text)).Message);

    [Fact]
    public void A_missing_server_address_is_a_usage_error() =>
        Assert.Contains("--to", Assert.Throws<UserError>(() => RelayVerb.Parse("--listen", "127.0.0.1:0")).Message, StringComparison.Ordinal);

    [Fact]
    public void A_server_name_that_does_not_resolve_is_a_network_error() =>
        Assert.Equal(ExitCodes.NetworkError, Assert.Throws<UserError>(() => RelayFlags.Parse("127.0.0.1:0", "nowhere.invalid:9000")).ExitCode);

    [Theory]
    [InlineData("abc", "--seed")]
    [InlineData("99999999999", "--seed")]
    public void Bad_seed_is_refused(string seed, string flag) =>
        Assert.Contains(flag, Assert.Throws<UserError>(() => RelayFlags.Parse("127.0.0.1:0", "127.0.0.1:9", seed: seed)).Message, StringComparison.Ordinal);

    [Fact]
    public void Bad_stats_interval_is_refused() =>
        Assert.StartsWith(
            "--stats must be zero or more seconds",
            Assert.Throws<UserError>(() => RelayFlags.Parse("127.0.0.1:0", "127.0.0.1:9", stats: "-1")).Message,
            StringComparison.Ordinal);

    [Fact]
    public void Parse_errors_are_single_lines()
    {
        string?[] bad = ["x", "101", "50±", "100Mb", "1/2/3"];
        foreach (var value in bad)
        {
            var error = Assert.Throws<UserError>(() => RelayFlags.Parse("127.0.0.1:0", "127.0.0.1:9", loss: value == "50±" ? null : value, delay: value == "50±" ? value : null));
            Assert.DoesNotContain('\n', error.Message);
            Assert.StartsWith(value == "50±" ? "--delay " : "--loss ", error.Message, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.Usage, error.ExitCode);
        }
    }

    [Fact]
    public void Address_families_follow_the_addresses()
    {
        var options = RelayFlags.Parse("[::1]:0", "127.0.0.1:9");
        Assert.Equal(AddressFamily.InterNetworkV6, options.Listen.AddressFamily);
        Assert.Equal(AddressFamily.InterNetwork, options.Server.AddressFamily);
    }
}
