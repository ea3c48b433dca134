using Udpx.Tests.Integration;
using Udpx.Tests.Reliability;
using Udpx.Tests.Support;

namespace Udpx.Tests.Hook;

/// <summary>
/// `udpx serve --on-file` with the real binary: a folder with hostile names sent by `udpx send`, the hook
/// run once per stored file with the documented argv and environment, its outcome in the JSON log; a hook
/// that fails or hangs (killed at --on-file-timeout) loses no file and holds up no transfer; bad commands
/// are refused at the start with one line and exit code 2.
/// </summary>
public sealed class OnFileTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly TempFolder _folder = new();

    public OnFileTests()
    {
        Directory.CreateDirectory(Records);
        Directory.CreateDirectory(Source);
    }

    private string Records => _folder.File("records");

    private string Source => _folder.File("source");

    private string Out => _folder.File("out");

    [Fact]
    public async Task Each_stored_file_gets_the_hook_with_its_path_as_one_argument_and_its_metadata()
    {
        string[] names = ["plain.bin", "-dash.bin", "it's \"quoted\" $(touch pwned) `touch pwned2`.bin", "sub dir/--help", "sub dir/x;y|z&.bin"];
        var files = names.ToDictionary(n => n, n => Simulation.RandomFile(1000 + n.Length * 100, n.Length));
        foreach (var (name, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(Source, name))!);
            File.WriteAllBytes(Path.Combine(Source, name), bytes);
        }
        string script = HookScript.Write(_folder.Path);
        var (server, port) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", Out, "--on-file", "'" + script + "' '" + Records + "' 'two words'");
        using (server)
        {
            var (code, output, error) = await UdpxProcess.RunAsync(Patience, "send", Source, "--to", "127.0.0.1:" + port, "--headless");
            Assert.True(code == 0, output + error);
            foreach (string name in names)
            {
                await server.WaitForEventAsync(e => e.Event == "hook" && e.Name == name, Patience);
            }
            var events = server.Events;
            Assert.Equal(names.Length, events.Count(e => e.Event == "hook"));
            for (int run = 0; run < names.Length; run++)
            {
                string[] argv = HookScript.Argv(Records, run);
                var env = HookScript.Environment(Records, run);
                string name = env["UDPX_NAME"];
                string stored = Path.Combine(Path.GetFullPath(Out), name);
                Assert.Equal([Records, "two words", stored], argv);
                Assert.Equal(stored, env["UDPX_FILE"]);
                Assert.Equal(files[name].Length.ToString(System.Globalization.CultureInfo.InvariantCulture), env["UDPX_FILE_SIZE"]);
                var start = events.Single(e => e.Event == "start" && e.Name == name);
                var hook = events.Single(e => e.Event == "hook" && e.Name == name);
                Assert.Equal(start.Peer, env["UDPX_SENDER"]);
                Assert.Equal(start.Session, env["UDPX_SESSION"]);
                Assert.Matches("^[0-9a-f]{32}$", env["UDPX_DIGEST"]);
                Assert.Equal("0", env["UDPX_RESUMED_BYTES"]);
                Assert.Equal("0", env["UDPX_ENCRYPTED"]);
                Assert.Equal(Path.GetFullPath(Out), env["UDPX_OUT"]);
                Assert.Equal("exited", hook.Hook);
                Assert.Equal(0, hook.ExitCode);
                Assert.Equal(start.Session, hook.Session);
                Assert.Contains("hook saw 3 arguments", hook.Output!);
                Assert.Equal(2, hook.OutputLines);
            }
        }
        foreach (var (name, bytes) in files)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(Out, name)));
        }
        Assert.Empty(Directory.GetFiles(_folder.Path, "pwned*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_failing_or_hanging_hook_loses_no_file_and_the_next_one_still_runs()
    {
        // Exit 3 for a name with "fail", hang (with a child) for one with "hang", succeed otherwise.
        string script = HookScript.Write(_folder.Path, """
            case "$2" in
              *fail*) echo "cannot publish $2" >&2; exit 3 ;;
              *hang*) sleep 300 & sleep 300 ;;
            esac
            """);
        var files = new Dictionary<string, byte[]>
        {
            ["1-fail.bin"] = Simulation.RandomFile(3000, 1),
            ["2-hang.bin"] = Simulation.RandomFile(4000, 2),
            ["3-fine.bin"] = Simulation.RandomFile(5000, 3),
        };
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(Source, name), bytes);
        }
        var (server, port) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", Out, "--on-file", script + " " + Records, "--on-file-timeout", "1");
        using (server)
        {
            var (code, output, error) = await UdpxProcess.RunAsync(Patience, "send", Source, "--to", "127.0.0.1:" + port, "--headless", "--mode", "thread-async", "--workers", "1");
            Assert.True(code == 0, output + error);

            var failed = await server.WaitForEventAsync(e => e.Event == "hook" && e.Name == "1-fail.bin", Patience);
            var hung = await server.WaitForEventAsync(e => e.Event == "hook" && e.Name == "2-hang.bin", Patience);
            var fine = await server.WaitForEventAsync(e => e.Event == "hook" && e.Name == "3-fine.bin", Patience);

            Assert.Equal(("exited", 3), (failed.Hook, failed.ExitCode));
            Assert.Equal("exit 3", failed.Reason);
            Assert.Contains(failed.Output!, l => l.StartsWith("cannot publish ", StringComparison.Ordinal));
            Assert.Equal("timeout", hung.Hook);
            Assert.Null(hung.ExitCode);
            Assert.StartsWith("killed after ", hung.Reason);
            Assert.Equal(("exited", 0), (fine.Hook, fine.ExitCode));
            Assert.Null(fine.Reason);
        }
        foreach (var (name, bytes) in files)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(Out, name)));
        }
    }

    [Theory]
    [InlineData("'unclosed", "unclosed ' in the command")]
    [InlineData("", "the command names no program")]
    [InlineData("no-such-program-for-udpx x", "no executable program 'no-such-program-for-udpx' in PATH")]
    [InlineData("/no/such/program", "no executable program '/no/such/program'")]
    public async Task A_bad_command_is_refused_at_the_start_with_one_line(string command, string why)
    {
        var (code, output, error) = await UdpxProcess.RunAsync(Patience, "serve", "--bind", "127.0.0.1:0", "--out", Out, "--headless", "--on-file", command);

        Assert.Equal(2, code);
        Assert.Contains(why, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("listening", output);
    }

    [Fact]
    public async Task The_timeout_must_be_a_positive_duration()
    {
        var (code, _, error) = await UdpxProcess.RunAsync(Patience, "serve", "--bind", "127.0.0.1:0", "--out", Out, "--headless", "--on-file", "true", "--on-file-timeout", "0");

        Assert.Equal(2, code);
        Assert.Contains("--on-file-timeout", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    public void Dispose() => _folder.Dispose();
}
