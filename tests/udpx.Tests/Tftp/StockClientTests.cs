using Udpx.Tests.Support;

namespace Udpx.Tests.Tftp;

/// <summary>
/// The stock TFTP clients (atftp, tftp-hpa, curl) against udpx's TFTP listener on loopback: every file
/// read back (RRQ) and written (WRQ) must be byte-identical, at the block and window sizes the clients
/// ask for, for the sizes that catch the off-by-ones: empty, one byte, exactly one block (a last DATA
/// of 0 bytes follows), several blocks.
/// </summary>
public sealed class StockClientTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static TheoryData<int, int, string> AtftpCases()
    {
        var data = new TheoryData<int, int, string>();
        foreach (int blksize in (int[])[512, 1468, 8192, 65464])
        {
            foreach (string size in (string[])["empty", "one byte", "one block", "several blocks"])
            {
                data.Add(blksize, 1, size);
            }
        }
        foreach (int window in (int[])[4, 16])
        {
            foreach (string size in (string[])["empty", "one block", "several blocks", "many windows"])
            {
                data.Add(1468, window, size);
            }
        }
        data.Add(65464, 4, "many windows");
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(AtftpCases))]
    public void Atftp_gets_and_puts_identical_files(int blksize, int windowsize, string size)
    {
        Skip.If(StockTool.WhyMissing("atftp") is not null, StockTool.WhyMissing("atftp"));
        using var server = new TftpFixture();
        byte[] content = Simulation.RandomFile(Bytes(size, blksize, windowsize), blksize + windowsize);
        server.Shared("f.bin", content);
        string[] options = ["--option", "blksize " + blksize, .. windowsize > 1 ? (string[])["--option", "windowsize " + windowsize] : []];

        var (code, output) = StockTool.Run("atftp", Limit, server.Scratch, [.. options, "-g", "-r", "f.bin", "-l", "got.bin", "127.0.0.1", Port(server)]);
        Assert.True(code == 0, "atftp get: " + output);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(server.Scratch, "got.bin")));

        (code, output) = StockTool.Run("atftp", Limit, server.Scratch, [.. options, "-p", "-l", "got.bin", "-r", "put.bin", "127.0.0.1", Port(server)]);
        Assert.True(code == 0, "atftp put: " + output);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(server.Out, "put.bin")));
        Assert.Empty(Directory.GetFiles(server.Out, ".udpx-*"));
    }

    [SkippableTheory]
    [InlineData("empty")]
    [InlineData("one byte")]
    [InlineData("one block")]
    [InlineData("several blocks")]
    public void Tftp_hpa_gets_and_puts_identical_files(string size)
    {
        Skip.If(StockTool.WhyMissing("tftp") is not null, StockTool.WhyMissing("tftp"));
        using var server = new TftpFixture();
        byte[] content = Simulation.RandomFile(Bytes(size, 512, 1), 7);
        server.Shared("f.bin", content);

        var (_, output) = StockTool.Run("tftp", Limit, server.Scratch, "127.0.0.1", Port(server), "-m", "binary", "-c", "get", "f.bin", "got.bin");
        Assert.True(File.Exists(Path.Combine(server.Scratch, "got.bin")), "tftp get: " + output);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(server.Scratch, "got.bin")));

        (_, output) = StockTool.Run("tftp", Limit, server.Scratch, "127.0.0.1", Port(server), "-m", "binary", "-c", "put", "got.bin", "put.bin");
        Assert.True(File.Exists(Path.Combine(server.Out, "put.bin")), "tftp put: " + output);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(server.Out, "put.bin")));
    }

    /// <remarks>No empty file: curl 7.88 fails every empty TFTP download ("getpeername() failed with errno 107"), from tftpd-hpa just the same.</remarks>
    [SkippableTheory]
    [InlineData(512, "one byte")]
    [InlineData(512, "one block")]
    [InlineData(512, "several blocks")]
    [InlineData(1468, "one block")]
    [InlineData(1468, "several blocks")]
    public void Curl_gets_and_puts_identical_files(int blksize, string size)
    {
        Skip.If(StockTool.WhyMissing("curl") is not null, StockTool.WhyMissing("curl"));
        using var server = new TftpFixture();
        byte[] content = Simulation.RandomFile(Bytes(size, blksize, 1), blksize + 3);
        server.Shared("f.bin", content);
        string got = Path.Combine(server.Scratch, "got.bin");

        var (code, output) = StockTool.Run("curl", Limit, null, "-sS", "--tftp-blksize", blksize.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", got, "tftp://127.0.0.1:" + Port(server) + "/f.bin");
        Assert.True(code == 0, "curl get: " + output);
        Assert.Equal(content, File.ReadAllBytes(got));

        (code, output) = StockTool.Run("curl", Limit, null, "-sS", "--tftp-blksize", blksize.ToString(System.Globalization.CultureInfo.InvariantCulture), "-T", got, "tftp://127.0.0.1:" + Port(server) + "/put.bin");
        Assert.True(code == 0, "curl put: " + output);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(server.Out, "put.bin")));
    }

    /// <summary>Over 32 MiB at 512-byte blocks: the block number passes 65535 and starts again at 0, both ways.</summary>
    [SkippableFact]
    public void A_file_over_32_MiB_at_512_byte_blocks_rolls_the_block_number_over_both_ways()
    {
        Skip.If(StockTool.WhyMissing("atftp", "tftp") is not null, StockTool.WhyMissing("atftp", "tftp"));
        using var server = new TftpFixture();
        byte[] content = Simulation.RandomFile((33 << 20) + 100, 33);
        server.Shared("big.bin", content);
        string got = Path.Combine(server.Scratch, "big.bin");

        var (code, output) = StockTool.Run("atftp", Limit, server.Scratch, "-g", "-r", "big.bin", "-l", "big.bin", "127.0.0.1", Port(server));
        Assert.True(code == 0, "atftp get: " + output);
        Assert.Equal(content, File.ReadAllBytes(got));

        StockTool.Run("tftp", Limit, server.Scratch, "127.0.0.1", Port(server), "-m", "binary", "-c", "put", "big.bin", "big-put.bin");
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(server.Out, "big-put.bin")));
        Assert.True(server.Observer.Ended.All(s => s.Succeeded));
    }

    /// <summary>netascii both ways through tftp-hpa's ascii mode: the Unix file comes back as it was, CRs and all.</summary>
    [SkippableFact]
    public void Netascii_through_tftp_hpa_ascii_mode_comes_back_as_the_same_unix_text()
    {
        Skip.If(StockTool.WhyMissing("tftp") is not null, StockTool.WhyMissing("tftp"));
        using var server = new TftpFixture();
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < 400; i++)
        {
            text.Append("line ").Append(i).Append(i % 7 == 0 ? "\r bare CR\n" : "\n");
        }
        byte[] content = System.Text.Encoding.ASCII.GetBytes(text.ToString() + "ends in CR\r");
        server.Shared("t.txt", content);

        StockTool.Run("tftp", Limit, server.Scratch, "127.0.0.1", Port(server), "-m", "ascii", "-c", "get", "t.txt", "got.txt");
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(server.Scratch, "got.txt")));

        StockTool.Run("tftp", Limit, server.Scratch, "127.0.0.1", Port(server), "-m", "ascii", "-c", "put", "got.txt", "put.txt");
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(server.Out, "put.txt")));
    }

    private static string Port(TftpFixture server) => server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static int Bytes(string size, int blksize, int windowsize) => size switch
    {
        "empty" => 0,
        "one byte" => 1,
        "one block" => blksize,
        "several blocks" => (3 * blksize) + 7,
        "many windows" => (10 * windowsize * blksize) + 11,
        _ => throw new ArgumentOutOfRangeException(nameof(size)),
    };
}
