using System.Text.RegularExpressions;
using Udpx.Engine;
using Udpx.Tests.Integration;
using Udpx.Tests.Support;

namespace Udpx.Tests.Reliability;

/// <summary>
/// A server whose output folder is a 1 MiB tmpfs (root only, for the mount): a larger file fails with
/// "disk full" at the client, the server stays up and stores the next, small file.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempFolder _folder = new();

    [SkippableFact]
    public async Task A_file_larger_than_the_disk_fails_with_disk_full_and_the_server_serves_the_next()
    {
        Skip.IfNot(SystemCommand.IsRoot, "needs root to mount a small tmpfs (CI runs as root)");
        Skip.IfNot(SystemCommand.Exists("mount"), "needs mount(8)");
        string outDir = _folder.File("small-disk");
        Directory.CreateDirectory(outDir);
        var (mounted, why) = SystemCommand.Run("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0755", "udpx-test", outDir]);
        Skip.If(mounted != 0, "cannot mount a tmpfs here: " + why.Trim());
        try
        {
            string big = _folder.Write("big.bin", Simulation.RandomFile(4_000_000, 1));
            byte[] smallBytes = Simulation.RandomFile(100_000, 2);
            string small = _folder.Write("small.bin", smallBytes);
            var (server, port) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", outDir);
            using (server)
            {
                string to = "127.0.0.1:" + port;

                var (code, output, _) = await UdpxProcess.RunAsync(Patience, "send", big, "--to", to, "--headless");

                Assert.Equal(1, code);
                Assert.True(Regex.IsMatch(output, "big.bin -> " + Regex.Escape(to) + ": FAILED: .*server disk full"), output);
                var refused = await server.WaitForEventAsync(e => e.Event is "refused" or "failed" && e.Name == "big.bin", Patience);
                Assert.Contains("disk full", refused.Reason, StringComparison.Ordinal);
                Assert.False(server.HasExited);
                Assert.Empty(Directory.EnumerateFileSystemEntries(outDir));

                var (smallCode, smallOutput, smallError) = await UdpxProcess.RunAsync(Patience, "send", small, "--to", to, "--headless");

                Assert.True(smallCode == 0, smallOutput + smallError);
                Assert.Equal(smallBytes, File.ReadAllBytes(Path.Combine(outDir, "small.bin")));
                Assert.Equal(["small.bin"], Directory.EnumerateFileSystemEntries(outDir).Select(Path.GetFileName));
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

    public void Dispose() => _folder.Dispose();
}
