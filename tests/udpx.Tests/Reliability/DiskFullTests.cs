using System.Net;
using System.Text.RegularExpressions;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Integration;
using Udpx.Tests.Support;

namespace Udpx.Tests.Reliability;

/// <summary>
/// A server whose output folder is a 64 MiB tmpfs (root only, for the mount): an offer larger than the
/// space is refused as "too large for this server" at once, saying nothing of the free space, while a
/// normal transfer to the same server goes on and is stored identical; a real client's file larger than
/// the disk fails the same way and the server stays up.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempFolder _folder = new();

    [SkippableFact]
    public async Task A_huge_offer_on_a_small_disk_is_refused_as_too_large_while_another_transfer_completes()
    {
        Skip.IfNot(SystemCommand.IsRoot, "needs root to mount a small tmpfs (CI runs as root)");
        Skip.IfNot(SystemCommand.Exists("mount"), "needs mount(8)");
        string outDir = _folder.File("small-disk");
        Directory.CreateDirectory(outDir);
        var (mounted, why) = SystemCommand.Run("mount", ["-t", "tmpfs", "-o", "size=64m,mode=0755", "udpx-test", outDir]);
        Skip.If(mounted != 0, "cannot mount a tmpfs here: " + why.Trim());
        try
        {
            byte[] normalBytes = Simulation.RandomFile(24_000_000, 2);
            string normal = _folder.Write("normal.bin", normalBytes);
            string big = _folder.Write("big.bin", Simulation.RandomFile(70_000_000, 1));
            var (server, port) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", outDir);
            using (server)
            {
                string to = "127.0.0.1:" + port;

                // A normal transfer, slowed so that it is surely in progress while the huge offers come.
                var sending = UdpxProcess.RunAsync(Patience, "send", normal, "--to", to, "--headless", "--rate", "8M");
                await server.WaitForEventAsync(e => e.Event == "start" && e.Name == "normal.bin", Patience);
                using (var raw = new RawClient(new IPEndPoint(IPAddress.Loopback, port)))
                {
                    foreach (ulong size in (ulong[])[1UL << 40, 60_000_000])
                    {
                        var reject = raw.OfferExpectingReject(0xB16 + size, size, "huge.bin"u8);
                        Assert.Equal(RejectReason.TooLarge, reject.Reason);
                        Assert.Equal("file too large for this server", reject.Message);
                    }
                }
                var (code, output, error) = await sending;

                Assert.True(code == 0, output + error);
                Assert.Equal(normalBytes, File.ReadAllBytes(Path.Combine(outDir, "normal.bin")));

                var (bigCode, bigOutput, _) = await UdpxProcess.RunAsync(Patience, "send", big, "--to", to, "--headless");

                Assert.Equal(1, bigCode);
                Assert.True(Regex.IsMatch(bigOutput, "big.bin -> " + Regex.Escape(to) + ": FAILED: .*file too large for this server"), bigOutput);
                Assert.DoesNotContain("disk full", bigOutput, StringComparison.Ordinal);
                Assert.False(server.HasExited);
                Assert.Equal(["normal.bin"], Directory.EnumerateFileSystemEntries(outDir).Select(Path.GetFileName));
            }
        }
        finally
        {
            var (code, output) = SystemCommand.Run("umount", [outDir]);
            if (code != 0)
            {
                SystemCommand.Run("umount", ["-l", outDir]);
            }
            Assert.True(code == 0, "umount: " + output);
        }
    }

    [Fact]
    public void A_failed_preallocation_counts_as_disk_full()
    {
        // What File.OpenHandle throws when fallocate reports ENOSPC: no error code, only this message.
        Assert.True(DiskErrors.IsDiskFull(new IOException("Failed to create '/srv/x' with allocation size '4000000' because the disk was full.")));
        // The same message as udpx builds print it (UseSystemResourceKeys: the resource key and its arguments).
        Assert.True(DiskErrors.IsDiskFull(new IOException("IO_DiskFull_Path_AllocationSize, /srv/x, 4000000")));
        Assert.False(DiskErrors.IsDiskFull(new IOException("Failed to create '/srv/x' with allocation size '4000000' because the file was too large.")));
    }

    /// <summary>
    /// On Linux a full disk is ENOSPC (28) or EDQUOT (122). 39 and 112 are Windows' disk-full codes, and on Linux
    /// ENOTEMPTY and EHOSTDOWN: a folder with files in it where a file was to be renamed read as a full disk.
    /// </summary>
    [Fact]
    public void On_linux_only_enospc_and_edquot_are_a_full_disk_by_their_code()
    {
        Assert.Equal(!OperatingSystem.IsWindows(), DiskErrors.IsDiskFull(new IOException("error 28", 28)));
        Assert.Equal(!OperatingSystem.IsWindows(), DiskErrors.IsDiskFull(new IOException("error 122", 122)));
        Assert.Equal(OperatingSystem.IsWindows(), DiskErrors.IsDiskFull(new IOException("Directory not empty", 39)));
        Assert.Equal(OperatingSystem.IsWindows(), DiskErrors.IsDiskFull(new IOException("Host is down", 112)));
    }

    public void Dispose() => _folder.Dispose();
}
