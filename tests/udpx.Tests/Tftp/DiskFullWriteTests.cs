using Udpx.Tests.Reliability;
using Udpx.Tftp;
using static Udpx.Tests.Tftp.TftpWire;

namespace Udpx.Tests.Tftp;

/// <summary>
/// A TFTP write into a full disk, over loopback (serve --min-free 0, so only the disk stops it): error 3
/// in a short text naming no path of the server, nothing left in --out, and the same name writable
/// again once there is room (the review found the temporary file kept and the name busy until a restart).
/// </summary>
public sealed class DiskFullWriteTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_write_into_a_full_disk_gets_error_3_leaves_nothing_and_frees_its_name()
    {
        var disk = new SmallDisk(1000);
        using var server = new TftpFixture(openTemporary: disk.Open);

        var (code, message) = Put(server, "six.bin", new byte[2000]);

        Assert.Equal(TftpError.DiskFull, code);
        Assert.Equal("disk full or allocation exceeded", message);
        WaitForNoTransfer(server);
        Assert.Empty(Directory.GetFileSystemEntries(server.Out));
        disk.Room = long.MaxValue;
        Assert.Null(Put(server, "six.bin", [1, 2, 3]).Code);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(server.Out, "six.bin")));
    }

    /// <summary>The review's steps on a real 1 MiB tmpfs (root only, for the mount): 700 kB stored, then 600 kB without tsize.</summary>
    [SkippableFact]
    public void A_write_that_fills_a_real_small_disk_gets_error_3_and_the_name_is_writable_once_there_is_room()
    {
        Skip.IfNot(SystemCommand.IsRoot, "needs root to mount a small tmpfs (CI runs as root)");
        Skip.IfNot(SystemCommand.Exists("mount"), "needs mount(8)");
        using var server = new TftpFixture();
        var (mounted, why) = SystemCommand.Run("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0755", "udpx-test", server.Out]);
        Skip.If(mounted != 0, "cannot mount a tmpfs here: " + why.Trim());
        try
        {
            File.WriteAllBytes(Path.Combine(server.Out, "seven.bin"), new byte[700_000]);
            byte[] six = new byte[600_000];
            new Random(6).NextBytes(six);

            var (code, message) = Put(server, "six.bin", six);

            Assert.Equal(TftpError.DiskFull, code);
            Assert.Equal("disk full or allocation exceeded", message);
            WaitForNoTransfer(server);
            Assert.Equal(["seven.bin"], Directory.EnumerateFileSystemEntries(server.Out).Select(Path.GetFileName));
            File.Delete(Path.Combine(server.Out, "seven.bin"));
            Assert.Null(Put(server, "six.bin", six).Code);
            Assert.Equal(six, File.ReadAllBytes(Path.Combine(server.Out, "six.bin")));
        }
        finally
        {
            var (code, output) = SystemCommand.Run("umount", [server.Out]);
            if (code != 0)
            {
                SystemCommand.Run("umount", ["-l", server.Out]);
            }
            Assert.True(code == 0, "umount: " + output);
        }
    }

    /// <summary>The failed write's thread has ended: its session is off the list (ended, or dropped by an exception).</summary>
    private static void WaitForNoTransfer(TftpFixture server)
    {
        var until = DateTime.UtcNow + Patience;
        while (server.Server.Sessions.Count > 0 || server.Server.Stats.Failed + server.Server.Stats.Completed == 0)
        {
            Assert.True(DateTime.UtcNow < until, "the write did not end within " + Patience);
            Thread.Sleep(10);
        }
    }
}
