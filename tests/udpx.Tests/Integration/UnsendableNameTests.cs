using System.Text.Json;
using Udpx.Cli;
using Udpx.Client;
using Udpx.Common;
using Udpx.Protocol;
using Udpx.Tests.Reliability;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>
/// Files inside a folder that the wire cannot carry (docs/protocol.md): a backslash or a control character in
/// the name, a path over <see cref="Wire.MaxPathBytes"/> bytes or <see cref="Wire.MaxPathDepth"/> levels. Each is
/// skipped with its reason, as symlinks and names that are not UTF-8 are, and the rest of the folder is sent:
/// one such file used to fail the whole send with exit code 3. Names reach the terminal escaped.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UnsendableNameTests : IDisposable
{
    private const string TooLong = " (path too long to send: at most 400 bytes and 32 levels below the folder)";

    private readonly TempFolder _folder = new();

    [Fact]
    public void A_backslash_in_a_name_is_skipped_and_the_rest_is_sent()
    {
        string top = Folder("slash");
        File.WriteAllText(Path.Combine(top, "back\\slash"), "a\n");
        File.WriteAllText(Path.Combine(top, "ok"), "d\n");
        var tree = new SourceTree();

        tree.Add(top, 0);

        Assert.Equal(["ok"], tree.Files.Select(f => f.Name));
        Assert.Equal([Path.Combine(top, "back\\slash") + " (name with a backslash or a control character)"], tree.Skipped);
    }

    [Fact]
    public void A_path_over_the_byte_limit_is_skipped_and_the_rest_is_sent()
    {
        string top = Folder("long");
        string deep = Directory.CreateDirectory(Path.Combine(top, new string('a', 200), new string('b', 195))).FullName;
        File.WriteAllText(Path.Combine(deep, "fffff"), "a\n");
        File.WriteAllText(Path.Combine(top, "ok"), "d\n");
        // The folder's path fits (396 bytes), the file's does not (402).
        File.WriteAllText(Path.Combine(deep, "ff"), "b\n");
        var tree = new SourceTree();

        tree.Add(top, 0);

        Assert.Equal([new string('a', 200) + "/" + new string('b', 195) + "/ff", "ok"], tree.Files.Select(f => f.Name));
        Assert.Equal([Path.Combine(deep, "fffff") + TooLong], tree.Skipped);
    }

    [Fact]
    public void A_folder_too_deep_is_skipped_once_and_the_rest_is_sent()
    {
        string top = Folder("deep");
        string parent = Directory.CreateDirectory(Path.Combine(top, Path.Combine(Enumerable.Repeat("d", Wire.MaxPathDepth - 1).ToArray()))).FullName;
        string tooDeep = Directory.CreateDirectory(Path.Combine(parent, "d")).FullName;
        File.WriteAllText(Path.Combine(tooDeep, "f"), "a\n");
        File.WriteAllText(Path.Combine(parent, "fits"), "b\n");
        var tree = new SourceTree();

        tree.Add(top, 0);

        Assert.Equal([string.Join('/', Enumerable.Repeat("d", Wire.MaxPathDepth - 1)) + "/fits"], tree.Files.Select(f => f.Name));
        Assert.Equal([tooDeep + TooLong], tree.Skipped);
    }

    [Fact]
    public void Named_on_the_command_line_a_missing_file_is_named_escaped()
    {
        string named = Path.Combine(_folder.Path, "\u001b]0;PWN\u0007");

        var error = Assert.Throws<UserError>(() => LocalSource.Open(named));

        Assert.Equal(ExitCodes.InputError, error.ExitCode);
        Assert.Equal("file not found: " + Path.Combine(_folder.Path, "\\x1B]0;PWN\\x07"), error.Message);
    }

    [Fact]
    public async Task Send_of_the_folder_lists_them_as_skipped_escaped_and_stores_the_rest()
    {
        string top = Folder("sent");
        File.WriteAllText(Path.Combine(top, "back\\slash"), "a\n");
        File.WriteAllText(Path.Combine(top, "ok"), "d\n");
        // A terminal's title-setting sequence in a path too long to send: it must reach no terminal as it is.
        string deep = Directory.CreateDirectory(Path.Combine(top, new string('a', 200), new string('b', 195))).FullName;
        string hostile = Path.Combine(deep, "\u001b]0;PWN\u0007");
        File.WriteAllText(hostile, "e\n");
        string received = _folder.File("out");
        var (server, port) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", received);
        using (server)
        {
            var (code, output, error) = await UdpxProcess.RunAsync(TimeSpan.FromSeconds(60), "send", top, "--to", "127.0.0.1:" + port, "--headless");
            // Its one file is stored by now and not replaced: the report still lists what was skipped.
            var json = await UdpxProcess.RunAsync(TimeSpan.FromSeconds(60), "send", top, "--to", "127.0.0.1:" + port, "--json");

            Assert.True(code == 0, output + error);
            Assert.DoesNotContain('\u001b', output + error);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("skipped: " + SafeText.Escape(hostile) + TooLong, lines[0]);
            Assert.Contains("\\x1B]0;PWN\\x07", lines[0], StringComparison.Ordinal);
            Assert.Equal("skipped: " + Path.Combine(top, "back\\slash") + " (name with a backslash or a control character)", lines[1]);
            Assert.StartsWith("1/1 transfers verified, 2 entries skipped (listed above),", lines[^1], StringComparison.Ordinal);
            Assert.Equal(["ok"], Directory.EnumerateFiles(received, "*", SearchOption.AllDirectories).Select(Path.GetFileName));
            var report = JsonSerializer.Deserialize(json.Out, CliJson.Default.SendReport)!;
            Assert.Equal([hostile + TooLong, Path.Combine(top, "back\\slash") + " (name with a backslash or a control character)"], report.Skipped);
        }
    }

    public void Dispose() => _folder.Dispose();

    private string Folder(string name) => Directory.CreateDirectory(_folder.File(name)).FullName;
}
