using Udpx.Net;
using Udpx.Ui;
using Udpx.Ui.Text;

namespace Udpx.Tests.Ui;

public sealed class TextFormatTests
{
    [Fact]
    public void Hex_is_lowercase_pairs_and_a_ring_record_gives_its_kept_head()
    {
        Assert.Equal("de ad be ef 00", HexText.Format([0xde, 0xad, 0xbe, 0xef, 0x00]));
        Assert.Equal(string.Empty, HexText.Format([]));

        var ring = new DatagramRing(4);
        ring.Record(1, 2, 3, 4, 5, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        ring.Record(1, 2, 3, 4, 5, [0xab, 0xcd]);
        long cursor = 0;
        var records = new DatagramRecord[4];
        Assert.Equal(2, ring.ReadSince(ref cursor, records, out _));
        Assert.Equal("01 02 03 04 05 06 07 08", HexText.Format(records[0]));
        Assert.Equal("01 02 03", HexText.Format(records[0], maxBytes: 3));
        Assert.Equal("ab cd", HexText.Format(records[1]));
    }

    [Fact]
    public void Durations_read_as_a_clock_round_trip_times_in_milliseconds_and_stamps_to_the_microsecond()
    {
        Assert.Equal("00:00", DurationText.Elapsed(TimeSpan.Zero));
        Assert.Equal("01:05", DurationText.Elapsed(TimeSpan.FromSeconds(65.9)));
        Assert.Equal("1:02:05", DurationText.Elapsed(TimeSpan.FromSeconds(3725)));
        Assert.Equal("-", DurationText.Rtt(0));
        Assert.Equal("0.42 ms", DurationText.Rtt(420));
        Assert.Equal("12.3 ms", DurationText.Rtt(12_345));
        Assert.Equal("1.50 s", DurationText.Rtt(1_500_000));
        Assert.Equal("12.345678", DurationText.Stamp(12_345_678));
        Assert.Equal("0.000042", DurationText.Stamp(42));
        Assert.Equal("3.20 s", DurationText.Seconds(3.2));
    }

    [Fact]
    public void A_table_keeps_least_widths_gives_spare_width_to_growing_columns_and_ends_long_text_in_an_ellipsis()
    {
        var table = new PaneTable(new PaneColumn("name", 6, Grow: 1), new PaneColumn("n", 3, AlignRight: true));
        Assert.Equal(10, table.MinWidth);
        Assert.Equal("name     n", table.Header(10));
        Assert.Equal("abcdef  42", table.Row(10, "abcdef", "42"));
        Assert.Equal("abcde…  42", table.Row(10, "abcdefgh", "42"));
        Assert.Equal("abcdefgh    42", table.Row(14, "abcdefgh", "42"));
        Assert.Equal([10, 3], table.WidthsFor(14));
        // Narrower than the least width: the growing column gives way, then the line is cut.
        Assert.Equal("abc…  ", table.Row(6, "abcdefgh", "42"));
        Assert.True(table.Row(3, "abcdefgh", "42").Length <= 3);
    }

    [Fact]
    public void A_header_keeps_its_first_part_and_only_the_later_parts_that_fit_whole()
    {
        Assert.Equal("udpx server  2 active  1.00 MiB/s", HeaderLine.Fit(40, "udpx server", "2 active", string.Empty, "1.00 MiB/s", "12.3 MiB in"));
        Assert.Equal("udpx server  12 B in", HeaderLine.Fit(22, "udpx server", "1.00 MiB/s", "12 B in"));
        Assert.Equal("udpx s", HeaderLine.Fit(6, "udpx server", "x"));
        Assert.Equal("a  b  c", HeaderLine.Join("a", "b", "c"));
    }

    [Fact]
    public void Progress_bars_fill_an_eighth_of_a_cell_at_a_time()
    {
        Assert.Equal("░░░░", ProgressBarText.Render(0, 4));
        Assert.Equal("██░░", ProgressBarText.Render(0.5, 4));
        Assert.Equal("████", ProgressBarText.Render(1.2, 4));
        Assert.Equal("█▌░░", ProgressBarText.Render(0.375, 4));
        Assert.Equal(string.Empty, ProgressBarText.Render(0.5, 0));
    }

    [Fact]
    public void A_sparkline_puts_the_newest_value_on_the_right_and_shows_any_trickle()
    {
        Assert.Equal([" ▂▄█"], Sparkline.Render([0, 1, 2, 4], 4, 1));
        Assert.Equal(["   ▂▄█"], Sparkline.Render([0, 1, 2, 4], 6, 1));
        Assert.Equal(["▄█"], Sparkline.Render([0, 1, 2, 4], 2, 1));
        Assert.Equal(["  █", "▄██"], Sparkline.Render([1, 2, 4], 3, 2));
        Assert.Equal(["▁█"], Sparkline.Render([0.001, 100], 2, 1));
        Assert.Equal(["  ▄▄██"], Sparkline.Render([2, 4], 6, 1, columnsPerValue: 2));
        Assert.Equal(["    "], Sparkline.Render([], 4, 1));
    }

    [Fact]
    public void Percentages_read_100_only_when_complete()
    {
        Assert.Equal(50, Percent.Of(50, 100, complete: false));
        Assert.Equal(99.9, Percent.Of(9999, 10000, complete: false));
        Assert.Equal("99", Percent.Text(Percent.Of(99_999, 100_000, complete: false)));
        Assert.Equal(100, Percent.Of(100, 100, complete: true));
        Assert.Equal(100, Percent.Of(0, 0, complete: true));
        Assert.Equal(0, Percent.Of(0, 0, complete: false));
    }

    [Theory]
    [InlineData(false, false, "xterm-256color", 80, 24, true)]
    [InlineData(false, false, null, 100, 30, true)]
    [InlineData(false, false, "dumb", 80, 24, false)]
    [InlineData(true, false, "xterm", 80, 24, false)]
    [InlineData(false, true, "xterm", 80, 24, false)]
    [InlineData(false, false, null, 0, 0, false)]  // a GNS3 console whose telnet client sent no window size
    [InlineData(false, false, "xterm", 80, 0, false)]
    public void Interactive_means_a_terminal_on_both_ends_not_a_dumb_one_and_with_a_size(bool inputRedirected, bool outputRedirected, string? term, int columns, int rows, bool expected) =>
        Assert.Equal(expected, TerminalUi.IsInteractiveTerminal(inputRedirected, outputRedirected, term, (columns, rows)));
}
