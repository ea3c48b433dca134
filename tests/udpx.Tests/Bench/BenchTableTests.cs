using Udpx.Bench;
using Udpx.Common;

namespace Udpx.Tests.Bench;

public sealed class BenchTableTests
{
    [Fact]
    public void Text_columns_line_up_and_numbers_are_right_aligned()
    {
        var table = new TextTable("mode", ">time", "check");
        table.Add("thread", "0.5 s", "ok");
        table.Add("process-async \u00d72", "12.25 s", "ok");

        string[] lines = table.Render().Split('\n');

        Assert.Equal(4, lines.Length);
        Assert.StartsWith("mode", lines[0], StringComparison.Ordinal);
        Assert.Matches("^-+$", lines[1]);
        int end = lines[0].IndexOf("time", StringComparison.Ordinal) + "time".Length;
        Assert.Equal(end, lines[2].IndexOf("0.5 s", StringComparison.Ordinal) + "0.5 s".Length);
        Assert.Equal(end, lines[3].IndexOf("12.25 s", StringComparison.Ordinal) + "12.25 s".Length);
        Assert.Equal(lines[2].IndexOf("ok", StringComparison.Ordinal), lines[3].IndexOf("ok", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Equal(l.TrimEnd(), l));
    }

    [Fact]
    public void Markdown_has_a_cell_per_column_an_alignment_row_and_escaped_pipes()
    {
        var table = new TextTable("tool", ">throughput", "check");
        table.Add("socat TCP", "900 MB/s", "digest ok");
        table.Add("a|b", "1 MB/s", "failed: x | y");

        string[] lines = table.RenderMarkdown().Split('\n');

        Assert.Equal("| tool | throughput | check |", lines[0]);
        Assert.Equal("|---|---:|---|", lines[1]);
        Assert.Equal("| a\\|b | 1 MB/s | failed: x \\| y |", lines[3]);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_is_refused() =>
        Assert.Throws<ArgumentException>(() => new TextTable("a", "b").Add("only one"));

    [Fact]
    public void Mode_tables_show_a_row_per_mode_and_per_file_costs_for_many_files()
    {
        BenchSample Run(double seconds) => new() { Seconds = seconds, Datagrams = 200, Verified = true, ParentPeakBytes = 50 << 20, ChildrenPeakBytes = -1 };
        var results = new BenchResults(
            [
                new BenchPointResult("thread", 0, 32_000, 200, 1472, [Run(1.0)]),
                new BenchPointResult("process", 0, 32_000, 200, 1472, [Run(9.0) with { ChildrenPeakBytes = 30 << 20 }]),
            ],
            []);

        var table = Assert.Single(BenchTables.Modes(results, servers: 2, repeats: 1));

        Assert.Equal("32 kB x 200 files, datagrams of 1472 B, 2 server(s), median of 1 run(s)", table.Title);
        string text = table.Table.Render();
        Assert.Contains("per file vs thread", text, StringComparison.Ordinal);
        Assert.Contains("+40.00 ms", text, StringComparison.Ordinal); // (9 s - 1 s) / 200 files
        Assert.Contains("30.0 MiB", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_peer_that_keeps_to_Ethernet_sized_datagrams_is_compared_with_udpx_at_1472_bytes()
    {
        const long size = 256L << 20;
        BenchSample Run(double seconds) => new() { Seconds = seconds, Bytes = size, Datagrams = 1, Verified = true, ParentPeakBytes = 20 << 20, ChildrenPeakBytes = -1 };
        var results = new BenchResults(
            [
                new BenchPointResult("thread", 0, size, 1, 1472, [Run(0.25)]),
                new BenchPointResult("thread", 0, size, 1, 65507, [Run(0.125)]),
            ],
            []);
        var peer = new PeerResult("uftp -b 1300", "-b 1300", size, PeerResult.Ok, null, [Run(1.0)]);
        var tcp = new PeerResult("socat TCP", "-b 1048576", size, PeerResult.Ok, null, [Run(0.25)]);

        var ethernet = results.Compare(peer, new Udpx.Bench.Peers.UftpPeer(1300).ComparableDatagramSize);
        var stream = results.Compare(tcp, new Udpx.Bench.Peers.SocatPeer().ComparableDatagramSize);

        Assert.Equal((4.0, 1472), (ethernet.UdpxRatio, ethernet.UdpxDatagramSize));
        Assert.Equal((2.0, 65507), (stream.UdpxRatio, stream.UdpxDatagramSize));
        string text = Assert.Single(BenchTables.Peers(results with { Peers = [ethernet, stream] }, repeats: 1)).Table.Render();
        Assert.Contains("udpx thread, 65507 B", text, StringComparison.Ordinal);
        Assert.Contains("udpx thread, 1472 B", text, StringComparison.Ordinal);
        Assert.Contains("4.00x @1472", text, StringComparison.Ordinal);
        Assert.Contains("2.00x @65507", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("32K", 32_000)]
    [InlineData("64M", 64_000_000)]
    [InlineData("256Mi", 256L << 20)]
    [InlineData("256MiB", 256L << 20)]
    [InlineData("1.5G", 1_500_000_000)]
    [InlineData("4096", 4096)]
    public void Sizes_read_decimal_and_binary_suffixes(string text, long expected)
    {
        Assert.True(SizeText.TryParse(text, out long bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData(32_000, "32 kB")]
    [InlineData(64_000_000, "64 MB")]
    [InlineData(256L << 20, "256 MiB")]
    [InlineData(1000, "1 kB")]
    [InlineData(512, "512 B")]
    [InlineData(1024, "1 KiB")]
    [InlineData(1_234_567, "1.235 MB")]
    public void Sizes_print_the_way_they_were_given(long bytes, string expected) =>
        Assert.Equal(expected, SizeText.Format(bytes));
}
