using System.Diagnostics;
using Udpx.Tests.Integration;
using Udpx.Tests.Support;

namespace Udpx.Tests.Tftp;

/// <summary>
/// `udpx get --tftp` (the real binary) and an --out it cannot write to: a file where the folder should be, a
/// folder it may not write in, a folder where the file should go, a disk that fills during the download. Each was
/// a transfer failure (exit 1) in .NET's words ("Access to the path ... is denied", "No space left on device :
/// '...'"), most of them only after the read request had gone out; README gives exit 3 for an unwritable folder.
/// </summary>
public sealed class GetLocalWriteTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_out_that_is_a_file_is_not_a_folder_before_any_request()
    {
        using var server = new TftpFixture();
        server.Shared("f.bin", Simulation.RandomFile(5000, 1));
        using var local = new TempFolder();
        string outFile = local.Write("outfile", [1]);

        var (code, stdout, stderr) = await UdpxProcess.RunAsync(Limit, "get", "--tftp", "127.0.0.1:" + server.Port, "--out", outFile, "f.bin");

        Assert.Equal(3, code);
        Assert.Equal("udpx: cannot write to output folder '" + outFile + "': not a folder", stderr.TrimEnd('\n'));
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(0, server.Server.Stats.Requests);
    }

    [Fact]
    public async Task A_folder_in_the_file_s_place_is_refused_before_any_request_even_with_overwrite()
    {
        using var server = new TftpFixture();
        server.Shared("small.bin", Simulation.RandomFile(5000, 1));
        using var local = new TempFolder();
        Directory.CreateDirectory(local.File("small.bin"));

        var (code, _, stderr) = await UdpxProcess.RunAsync(Limit, "get", "--tftp", "127.0.0.1:" + server.Port, "--out", local.Path, "--overwrite", "small.bin");

        Assert.Equal(3, code);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("a folder", line, StringComparison.Ordinal);
        Assert.Equal(0, server.Server.Stats.Requests);
        Assert.True(Directory.Exists(local.File("small.bin")));
    }

    [Fact]
    public async Task A_folder_without_write_permission_is_refused_before_any_request()
    {
        // Root writes anywhere: the check runs as nobody then, as the report did (setpriv).
        bool root = Environment.UserName == "root";
        if (!OperatingSystem.IsLinux() || (root && !File.Exists("/usr/bin/setpriv")))
        {
            return;
        }
        using var server = new TftpFixture();
        server.Shared("f1", Simulation.RandomFile(5000, 1));
        using var local = new TempFolder();
        string ro = local.File("ro");
        Directory.CreateDirectory(ro);
        File.SetUnixFileMode(local.Path, (UnixFileMode)0x1ED); // 0755: nobody may enter
        File.SetUnixFileMode(ro, (UnixFileMode)0x16D); // 0555

        var info = new ProcessStartInfo(root ? "/usr/bin/setpriv" : UdpxProcess.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] args = ["get", "--tftp", "127.0.0.1:" + server.Port, "f1", "--out", ro];
        foreach (string a in root ? ["--reuid", "65534", "--regid", "65534", "--clear-groups", UdpxProcess.Executable, .. args] : args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(Limit).Token);

        Assert.True(process.ExitCode == 3, await stdout + stderr);
        Assert.Equal("udpx: cannot write to output folder '" + ro + "': permission denied", stderr.TrimEnd('\n'));
        Assert.Equal(0, server.Server.Stats.Requests);
        Assert.Empty(Directory.GetFileSystemEntries(ro));
    }

    [Theory]
    [InlineData("thread")]
    [InlineData("process")]
    public async Task A_disk_that_fills_during_the_download_is_exit_3_in_plain_words_and_leaves_nothing(string mode)
    {
        using var local = new TempFolder();
        string full = local.File("full");
        Directory.CreateDirectory(full);
        if (!SmallTmpfs.TryMount(full, "256k"))
        {
            return;
        }
        try
        {
            using var server = new TftpFixture();
            server.Shared("big.bin", Simulation.RandomFile(1 << 20, 3));

            var (code, stdout, stderr) = await UdpxProcess.RunAsync(Limit, "get", "--tftp", "127.0.0.1:" + server.Port, "--out", full, "--mode", mode, "big.bin");

            Assert.True(code == 3, stdout + stderr);
            Assert.Contains("big.bin <- 127.0.0.1:" + server.Port + ": FAILED: cannot store the file: no space left on device", stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(full, stdout + stderr, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(full));
        }
        finally
        {
            SmallTmpfs.Unmount(full);
        }
    }
}

/// <summary>A real full disk: a small tmpfs, where the tests may mount one (root on Linux).</summary>
internal static class SmallTmpfs
{
    public static bool TryMount(string path, string size) =>
        OperatingSystem.IsLinux() && Environment.UserName == "root" && Run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path);

    public static void Unmount(string path) => Run("umount", path);

    private static bool Run(string tool, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardError = true, UseShellExecute = false })!;
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
