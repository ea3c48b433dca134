using System.Text.Json;
using Udpx.Cli;
using Udpx.Client;
using Udpx.Common;
using Udpx.Tests.Reliability;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>
/// A file whose name is not valid UTF-8 (bytes FF FE here). .NET reads such a name as U+FFFD and can open it by
/// no path, and the wire carries names as UTF-8 (docs/protocol.md): it cannot be sent, and must be said so,
/// never left out in silence. Inside a folder it is skipped as symlinks are, named on the command line it is
/// refused with exit code 3.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NonUtf8NameTests : IDisposable
{
    private const string Decoded = "\uFFFD\uFFFD";

    private readonly TempFolder _folder = new();

    [Fact]
    public void Inside_a_folder_it_is_skipped_with_the_reason_and_the_rest_is_sent()
    {
        string uni = Folder("uni");
        MakeBadName(uni);
        _folder.Write(Path.Combine("uni", "good.txt"), "ok\n"u8.ToArray());
        var tree = new SourceTree();

        tree.Add(uni, 0);

        Assert.Equal(["good.txt"], tree.Files.Select(f => f.Name));
        Assert.Equal([Path.Combine(uni, Decoded) + " (name is not valid UTF-8)"], tree.Skipped);
    }

    [Fact]
    public void Alone_in_its_folder_it_is_named_not_only_the_folder()
    {
        string uni = Folder("alone");
        MakeBadName(uni);
        var tree = new SourceTree();

        tree.Add(uni, 0);

        Assert.Empty(tree.Files);
        Assert.Equal([Path.Combine(uni, Decoded) + " (name is not valid UTF-8)", uni + " (no regular file in it)"], tree.Skipped);
    }

    [Fact]
    public void A_folder_whose_own_name_is_not_utf8_is_skipped_with_the_reason()
    {
        string top = Folder("top");
        SystemCommand.Run("sh", ["-c", "mkdir \"$1/$(printf '\\377')\" && printf a > \"$1/$(printf '\\377')/inner\"", "sh", top]);
        _folder.Write(Path.Combine("top", "good.txt"), "ok\n"u8.ToArray());
        var tree = new SourceTree();

        tree.Add(top, 0);

        Assert.Equal(["good.txt"], tree.Files.Select(f => f.Name));
        Assert.Equal([Path.Combine(top, "\uFFFD") + " (name is not valid UTF-8)"], tree.Skipped);
    }

    [Fact]
    public void Named_on_the_command_line_it_is_refused_with_exit_code_3_not_reported_missing()
    {
        string uni = Folder("named");
        MakeBadName(uni);
        string named = Path.Combine(uni, Decoded);

        var error = Assert.Throws<UserError>(() => LocalSource.Open(named));

        Assert.Equal(ExitCodes.InputError, error.ExitCode);
        Assert.Equal("name is not valid UTF-8: " + named + " (udpx sends names as UTF-8; rename the file)", error.Message);
        Assert.Equal("file not found: " + Path.Combine(uni, "other" + Decoded), Assert.Throws<UserError>(() => LocalSource.Open(Path.Combine(uni, "other" + Decoded))).Message);
    }

    [Fact]
    public async Task Send_of_the_folder_lists_it_as_skipped_and_the_summary_says_so()
    {
        string uni = Folder("sent");
        MakeBadName(uni);
        _folder.Write(Path.Combine("sent", "good.txt"), "ok\n"u8.ToArray());
        string received = _folder.File("out");
        var (server, port) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", received);
        using (server)
        {
            var (code, output, error) = await UdpxProcess.RunAsync(TimeSpan.FromSeconds(60), "send", uni, "--to", "127.0.0.1:" + port, "--headless");
            var json = await UdpxProcess.RunAsync(TimeSpan.FromSeconds(60), "send", uni, "--to", "127.0.0.1:" + port, "--json");

            Assert.True(code == 0, output + error);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("skipped: " + Path.Combine(uni, Decoded) + " (name is not valid UTF-8)", lines[0]);
            Assert.StartsWith("1/1 transfers verified, 1 entry skipped (listed above),", lines[^1], StringComparison.Ordinal);
            Assert.Equal(["good.txt"], Directory.EnumerateFiles(received).Select(Path.GetFileName));
            var report = JsonSerializer.Deserialize(json.Out, CliJson.Default.SendReport)!;
            Assert.Equal([Path.Combine(uni, Decoded) + " (name is not valid UTF-8)"], report.Skipped);
        }
    }

    public void Dispose() => _folder.Dispose();

    private string Folder(string name) => Directory.CreateDirectory(_folder.File(name)).FullName;

    /// <summary>A file named by the bytes FF FE, which no .NET string can name.</summary>
    private static void MakeBadName(string folder)
    {
        var (exit, output) = SystemCommand.Run("sh", ["-c", "printf a > \"$1/$(printf '\\377\\376')\"", "sh", folder]);
        Assert.True(exit == 0, output);
    }
}
