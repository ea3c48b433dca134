using System.Text.Json;
using Udpx.Tests.Integration;
using Udpx.Tests.Support;

namespace Udpx.Tests.Tftp;

/// <summary>
/// udpx's TFTP client (`send --tftp`, `get --tftp`, the real binary) against tftpd-hpa (--create) and
/// atftpd, in all four modes: files of 0 B, 1 B, one 1468-byte block exactly and several blocks written,
/// read back, every one identical. tftpd-hpa 5.2 has no windowsize, so it runs lockstep; atftpd windows.
/// </summary>
public sealed class StockServerTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string server in (string[])["tftpd-hpa", "atftpd"])
        {
            foreach (string mode in (string[])["thread", "thread-async", "process", "process-async"])
            {
                data.Add(server, mode);
            }
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Udpx_writes_and_reads_identical_files_with_a_stock_server(string server, string mode)
    {
        Skip.If(StockTool.WhyMissing(StockServer.Program(server)) is not null, StockTool.WhyMissing(StockServer.Program(server)));
        using var stock = StockServer.Start(server);
        using var local = new TempFolder();
        int[] sizes = [0, 1, 1468, (5 * 1468) + 17];
        var files = sizes.Select((size, i) => local.Write(mode + "-" + size + ".bin", Simulation.RandomFile(size, i + 1))).ToList();

        var (code, output) = StockTool.Run(UdpxProcess.Executable, Limit, null, ["send", "--tftp", "--to", stock.Address, "--mode", mode, "--workers", "2", "--headless", .. files]);
        Assert.True(code == 0, "udpx send --tftp: " + output);
        foreach (string file in files)
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(stock.Root, Path.GetFileName(file))));
        }

        string back = local.File("back");
        (code, output) = StockTool.Run(UdpxProcess.Executable, Limit, null, ["get", "--tftp", stock.Address, "--out", back, "--mode", mode, "--workers", "2", .. files.Select(Path.GetFileName).OfType<string>()]);
        Assert.True(code == 0, "udpx get --tftp: " + output);
        foreach (string file in files)
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(back, Path.GetFileName(file))));
        }
        Assert.Empty(Directory.GetFiles(back, ".udpx-*"));
    }

    /// <summary>Over 32 MiB at 512-byte blocks with tftpd-hpa, both ways: udpx's block numbers roll over as the stock server's do.</summary>
    [SkippableFact]
    public void Udpx_rolls_the_block_number_over_with_tftpd_hpa_both_ways()
    {
        Skip.If(StockTool.WhyMissing("in.tftpd-hpa") is not null, StockTool.WhyMissing("in.tftpd-hpa"));
        using var stock = StockServer.Start("tftpd-hpa");
        using var local = new TempFolder();
        string file = local.Write("big.bin", Simulation.RandomFile((33 << 20) + 5, 9));

        var (code, output) = StockTool.Run(UdpxProcess.Executable, Limit, null, "send", "--tftp", "--to", stock.Address, "--blksize", "512", "--headless", file);
        Assert.True(code == 0, "udpx send --tftp: " + output);
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(stock.Root, "big.bin")));

        (code, output) = StockTool.Run(UdpxProcess.Executable, Limit, null, "get", "--tftp", stock.Address, "--blksize", "512", "--out", local.File("back"), "big.bin");
        Assert.True(code == 0, "udpx get --tftp: " + output);
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(local.File("back/big.bin")));
    }

    /// <summary>tftpd-hpa 5.2 ignores windowsize: udpx asks for it, gets an OACK without it, and runs lockstep (counted: one ACK per block).</summary>
    [SkippableFact]
    public void A_server_that_leaves_an_option_out_is_used_without_it()
    {
        Skip.If(StockTool.WhyMissing("in.tftpd-hpa") is not null, StockTool.WhyMissing("in.tftpd-hpa"));
        using var stock = StockServer.Start("tftpd-hpa");
        using var local = new TempFolder();
        string file = local.Write("w.bin", Simulation.RandomFile(100 * 1468, 3));
        var (code, output) = StockTool.Run(UdpxProcess.Executable, Limit, null, "get", "--tftp", stock.Address, "--out", local.Path, "--windowsize", "16", "--json", "missing.bin");
        Assert.Equal(1, code);
        Assert.Contains("File not found", output, StringComparison.OrdinalIgnoreCase);
        File.Copy(file, Path.Combine(stock.Root, "w2.bin"));
        (code, output) = StockTool.Run(UdpxProcess.Executable, Limit, null, "get", "--tftp", stock.Address, "--out", local.File("back"), "--windowsize", "16", "--json", "w2.bin");
        Assert.True(code == 0, output);
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(local.File("back/w2.bin")));
        // Lockstep: one ACK per block, 101 blocks (the last one empty), plus ACK 0 for the OACK; repeats aside.
        var result = JsonDocument.Parse(output).RootElement.GetProperty("transfers")[0];
        Assert.Equal(102, result.GetProperty("datagramsSent").GetInt64() - result.GetProperty("retransmitted").GetInt64());
    }
}
