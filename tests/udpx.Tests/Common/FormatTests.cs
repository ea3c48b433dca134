using Udpx.Common;

namespace Udpx.Tests.Common;

/// <summary>One way to print sizes and rates, for the headless output and the terminal UI alike.</summary>
public sealed class FormatTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.00 KiB")]
    [InlineData(1536, "1.50 KiB")]
    [InlineData(10 * 1024 * 1024, "10.0 MiB")]
    [InlineData(1_047_552, "1023 KiB")]
    [InlineData(1_048_064, "1.00 MiB")]
    [InlineData(5L * 1024 * 1024 * 1024, "5.00 GiB")]
    [InlineData(-2048, "-2.00 KiB")]
    public void Byte_sizes_read_in_binary_units_with_three_digits(long bytes, string expected) =>
        Assert.Equal(expected, Format.Bytes(bytes));

    [Theory]
    [InlineData(0, "0 B/s")]
    [InlineData(-5, "0 B/s")]
    [InlineData(double.NaN, "0 B/s")]
    [InlineData(512.4, "512 B/s")]
    [InlineData(150_000, "150 kB/s")]
    [InlineData(999_600, "1.00 MB/s")]
    [InlineData(2_500_000, "2.50 MB/s")]
    [InlineData(746_000_000, "746 MB/s")]
    [InlineData(1.2e9, "1.20 GB/s")]
    public void Compact_rates_are_decimal_like_the_headless_ones(double rate, string expected) =>
        Assert.Equal(expected, Format.CompactRate(rate));

    [Theory]
    [InlineData(12_300_000)]
    [InlineData(45_600_000)]
    public void A_rate_reads_the_same_figure_and_unit_in_the_ui_and_headless(double rate) =>
        Assert.Equal(Format.Rate(rate), Format.CompactRate(rate));
}
