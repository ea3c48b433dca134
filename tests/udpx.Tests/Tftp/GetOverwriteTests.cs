using Udpx.Tests.Integration;
using Udpx.Tests.Support;

namespace Udpx.Tests.Tftp;

/// <summary>
/// `udpx get --tftp` (the real binary) and a file already in --out, against udpx's TFTP listener on
/// 127.0.0.1: refused before any request without --overwrite (one line, exit 3, the file untouched),
/// replaced with it only once the new copy is complete, and never truncated by a read that fails.
/// </summary>
public sealed class GetOverwriteTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Without_overwrite_an_existing_file_is_refused_before_any_request_with_one_line_and_exit_3()
    {
        using var server = new TftpFixture();
        server.Shared("f.bin", Simulation.RandomFile(5000, 1));
        using var local = new TempFolder();
        string mine = local.Write("f.bin", [1, 2, 3]);

        var (code, stdout, stderr) = await UdpxProcess.RunAsync(Limit, "get", "--tftp", "127.0.0.1:" + server.Port, "--out", local.Path, "f.bin");

        Assert.Equal(3, code);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("already exists; not replaced (get --overwrite replaces it)", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(mine));
        Assert.Empty(server.Observer.Started);
        Assert.Equal(0, server.Server.Stats.Requests);
        Assert.Single(Directory.GetFileSystemEntries(local.Path));
    }

    [Theory]
    [InlineData("thread")]
    [InlineData("process")]
    public async Task With_overwrite_the_file_is_replaced_once_complete_and_a_failed_read_leaves_it_as_it_was(string mode)
    {
        using var server = new TftpFixture();
        byte[] content = Simulation.RandomFile((40 * 1468) + 3, 2);
        server.Shared("f.bin", content);
        using var local = new TempFolder();
        string mine = local.Write("f.bin", [1, 2, 3]);
        local.Write("missing.bin", [4, 5]);

        var (code, stdout, stderr) = await UdpxProcess.RunAsync(Limit, "get", "--tftp", "127.0.0.1:" + server.Port, "--out", local.Path, "--overwrite", "--mode", mode, "f.bin");
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(content, File.ReadAllBytes(mine));

        (code, stdout, stderr) = await UdpxProcess.RunAsync(Limit, "get", "--tftp", "127.0.0.1:" + server.Port, "--out", local.Path, "--overwrite", "--mode", mode, "missing.bin");
        Assert.Equal(1, code);
        Assert.Contains("not found", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Equal([4, 5], File.ReadAllBytes(local.File("missing.bin")));
        Assert.Equal(2, Directory.GetFileSystemEntries(local.Path).Length);
    }
}
