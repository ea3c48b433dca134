using System.Text.Json;
using Udpx.Cli;
using Udpx.Tests.Reliability;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>`udpx send DIR` with the real binary: the tree arrives as it is, symlinks and empty folders are said and not sent.</summary>
public sealed class FolderTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private static readonly (string Name, int Size)[] Tree =
    [
        ("top.bin", 70_000),
        ("a/b/c/deep.bin", 100_000),
        ("with space/file one.txt", 5_000),
        ("ünïcødé/日本語 名前.bin", 3_000),
        ("empty.bin", 0),
        ("a/empty too", 0),
        (".hidden", 10),
        (".dir/inner.txt", 20),
    ];

    private readonly TempFolder _folder = new();

    private string Source => _folder.File("tree");

    public FolderTests()
    {
        for (int i = 0; i < Tree.Length; i++)
        {
            Write(Path.Combine("tree", Tree[i].Name), Simulation.RandomFile(Tree[i].Size, 100 + i));
        }
        File.CreateSymbolicLink(Path.Combine(Source, "link.bin"), Path.Combine(Source, "a", "b", "c", "deep.bin"));
        Directory.CreateSymbolicLink(Path.Combine(Source, "linkdir"), Path.Combine(Source, "a"));
        Directory.CreateDirectory(Path.Combine(Source, "nothing"));
    }

    [Fact]
    public async Task A_folder_tree_arrives_with_its_structure_and_every_file_identical()
    {
        string outDir = _folder.File("out");
        var (server, port) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", outDir, "--allow-hidden");
        using (server)
        {
            var (code, output, error) = await UdpxProcess.RunAsync(Patience, "send", Source, "--to", "127.0.0.1:" + port, "--json");

            Assert.True(code == 0, output + error);
            var report = JsonSerializer.Deserialize(output, CliJson.Default.SendReport)!;
            Assert.Equal(Tree.Select(t => t.Name).Order(StringComparer.Ordinal), report.Transfers.Select(t => t.Name).Order(StringComparer.Ordinal));
            // The total adds up the per-file results (retransmissions depend on the real socket: not asserted as a figure).
            var total = report.Total!;
            Assert.Equal((Tree.Length, Tree.Length, Tree.Sum(t => (long)t.Size), 0L), (total.Files, total.Verified, total.Bytes, total.ResumedBytes));
            Assert.Equal(report.Transfers.Sum(t => t.DatagramsSent), total.Datagrams);
            Assert.Equal(report.Transfers.Sum(t => t.Retransmitted), total.Retransmitted);
            Assert.True(total.Datagrams >= Tree.Length, "a transfer sends at least one datagram");
            Assert.Equal(2, report.Skipped!.Count(s => s.EndsWith("(symlink, not followed)", StringComparison.Ordinal)));
            Assert.Equal(1, report.EmptyFolders);
            foreach (var (name, _) in Tree)
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(Source, name)), File.ReadAllBytes(Path.Combine(outDir, name)));
            }
            // Exactly the tree: no symlink, no empty folder, nothing temporary.
            var stored = Directory.EnumerateFileSystemEntries(outDir, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(outDir, p).Replace('\\', '/'));
            var expected = Tree.Select(t => t.Name).SelectMany(Prefixes).Distinct();
            Assert.Equal(expected.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Two_folders_kept_together_each_go_to_one_server_and_the_output_is_grouped_by_folder()
    {
        string second = _folder.File("second");
        Write(Path.Combine("second", "x", "one.bin"), Simulation.RandomFile(1000, 1));
        Write(Path.Combine("second", "x", "two.bin"), Simulation.RandomFile(2000, 2));
        var (one, portOne) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", _folder.File("out1"), "--allow-hidden");
        var (two, portTwo) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", _folder.File("out2"));
        using (one)
        using (two)
        {
            var (code, output, error) = await UdpxProcess.RunAsync(Patience, "send", Source, second, "--to", "127.0.0.1:" + portOne, "--to", "127.0.0.1:" + portTwo, "--keep-folders-together", "--headless");

            Assert.True(code == 0, output + error);
            Assert.Equal(Tree.Length, Directory.EnumerateFiles(_folder.File("out1"), "*", SearchOption.AllDirectories).Count());
            Assert.Equal(["one.bin", "two.bin"], Directory.EnumerateFiles(_folder.File("out2"), "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Contains("x/: 2 files, 2 verified", output, StringComparison.Ordinal);
            Assert.Contains("a/b/c/: 1 file, 1 verified", output, StringComparison.Ordinal);
            Assert.Contains("skipped: 1 empty folder", output, StringComparison.Ordinal);
            Assert.Contains("link.bin (symlink, not followed)", output, StringComparison.Ordinal);
        }
    }

    private void Write(string name, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_folder.File(name))!);
        _folder.Write(name, bytes);
    }

    private static IEnumerable<string> Prefixes(string name)
    {
        var parts = name.Split('/');
        for (int i = 1; i <= parts.Length; i++)
        {
            yield return string.Join('/', parts[..i]);
        }
    }

    public void Dispose() => _folder.Dispose();
}
