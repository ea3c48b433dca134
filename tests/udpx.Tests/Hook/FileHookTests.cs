using System.Collections.Concurrent;
using System.Diagnostics;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Hook;

/// <summary>
/// The `--on-file` runner with real processes: argv and environment as documented, a failing hook, a hook
/// that hangs (killed with its children at the timeout), hostile file names that reach the hook only as
/// one argv element, and a full queue that refuses at once instead of waiting. The file is never touched.
/// </summary>
public sealed class FileHookTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempFolder _folder = new();
    private readonly Recorder _observer = new();

    public FileHookTests()
    {
        Directory.CreateDirectory(Records);
        Directory.CreateDirectory(Out);
    }

    private string Records => _folder.File("records");

    private string Out => _folder.File("out");

    [Fact]
    public void The_hook_gets_the_command_words_the_path_last_and_the_metadata_in_its_environment()
    {
        string script = HookScript.Write(_folder.Path);
        var file = Stored("report.bin", [1, 2, 3, 4, 5]);
        using (var hook = Hook("'" + script + "' '" + Records + "' 'two words' --flag"))
        {
            Assert.True(hook.TryQueue(file));
            var outcome = WaitForOutcome(file);

            Assert.Equal(HookEnd.Exited, outcome.End);
            Assert.Equal(0, outcome.ExitCode);
            Assert.True(outcome.Succeeded);
            Assert.Equal("exit 0", outcome.Status);
            Assert.Equal(["hook saw 4 arguments", "a line on stderr"], outcome.FirstLines.Order(StringComparer.Ordinal).Reverse());
        }
        Assert.Equal([Records, "two words", "--flag", file.Path], HookScript.Argv(Records));
        var env = HookScript.Environment(Records);
        Assert.Equal(file.Path, env["UDPX_FILE"]);
        Assert.Equal("report.bin", env["UDPX_NAME"]);
        Assert.Equal("5", env["UDPX_FILE_SIZE"]);
        Assert.Equal("192.0.2.7:4000", env["UDPX_SENDER"]);
        Assert.Equal("000000000000000000000000000000ff", env["UDPX_DIGEST"]);
        Assert.Equal("0x00000000000000ab", env["UDPX_SESSION"]);
        Assert.Equal("2", env["UDPX_RESUMED_BYTES"]);
        Assert.Equal("0", env["UDPX_ENCRYPTED"]);
        Assert.Equal(Out, env["UDPX_OUT"]);
        Assert.Equal(Out, HookScript.WorkingFolder(Records));
    }

    [Fact]
    public void A_failing_hook_is_reported_with_its_exit_code_and_output_and_the_file_stays()
    {
        string script = HookScript.Write(_folder.Path, "echo 'cannot copy: no route' >&2; exit 3");
        var file = Stored("kept.bin", [9, 9, 9]);
        File.Copy(file.Path, _folder.File("copy"));
        using (var hook = Hook("'" + script + "' '" + Records + "'"))
        {
            Assert.True(hook.TryQueue(file));
            var outcome = WaitForOutcome(file);

            Assert.Equal(HookEnd.Exited, outcome.End);
            Assert.Equal(3, outcome.ExitCode);
            Assert.False(outcome.Succeeded);
            Assert.Equal("exit 3", outcome.Status);
            Assert.Contains("cannot copy: no route", outcome.FirstLines);
            Assert.Equal(3, outcome.Lines);
        }
        Assert.Equal(File.ReadAllBytes(_folder.File("copy")), File.ReadAllBytes(file.Path));
    }

    [Fact]
    public void A_hanging_hook_and_its_children_are_killed_at_the_timeout()
    {
        string script = HookScript.Write(_folder.Path, "sleep 300 & echo $! > \"$dir/child\"; echo $$ > \"$dir/parent\"; sleep 300");
        var file = Stored("slow.bin", [1]);
        HookOutcome outcome;
        using (var hook = Hook("'" + script + "' '" + Records + "'", TimeSpan.FromSeconds(1)))
        {
            Assert.True(hook.TryQueue(file));
            outcome = WaitForOutcome(file);
        }

        Assert.Equal(HookEnd.TimedOut, outcome.End);
        Assert.Null(outcome.ExitCode);
        Assert.StartsWith("killed after ", outcome.Status);
        Assert.True(outcome.Seconds >= 1);
        foreach (string which in (string[])["parent", "child"])
        {
            int pid = int.Parse(File.ReadAllText(Path.Combine(Records, which)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(IsGone(pid), "the hook's " + which + " " + pid + " still runs");
        }
        Assert.True(File.Exists(file.Path));
    }

    [Theory]
    [InlineData("name with  spaces.bin")]
    [InlineData("quotes 'single' \"double\".bin")]
    [InlineData("$(touch pwned) `touch pwned2` ${HOME}; touch pwned3 | x.bin")]
    [InlineData("new\nline.bin")]
    [InlineData("-rf")]
    [InlineData("sub/--help")]
    public void A_hostile_name_reaches_the_hook_as_one_argument_and_nothing_runs_it(string name)
    {
        string script = HookScript.Write(_folder.Path);
        var file = Stored(name, [7]);
        using (var hook = Hook("'" + script + "' '" + Records + "'"))
        {
            Assert.True(hook.TryQueue(file));
            Assert.True(WaitForOutcome(file).Succeeded);
        }
        string[] argv = HookScript.Argv(Records);
        Assert.Equal([Records, file.Path], argv);
        // An absolute path: whatever the name, the last argument never starts with '-'.
        Assert.StartsWith("/", argv[^1]);
        Assert.Equal(name, HookScript.Environment(Records)["UDPX_NAME"]);
        Assert.Empty(Directory.GetFiles(_folder.Path, "pwned*", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(Out, "pwned")));
    }

    [Fact]
    public void A_full_queue_refuses_at_once_and_says_so_and_the_queued_hooks_still_run()
    {
        string script = HookScript.Write(_folder.Path, "while [ ! -e \"$dir/go\" ]; do sleep 0.05; done");
        var first = Stored("1.bin", [1]);
        var second = Stored("2.bin", [2]);
        var third = Stored("3.bin", [3]);
        using (var hook = Hook("'" + script + "' '" + Records + "'", capacity: 1))
        {
            Assert.True(hook.TryQueue(first));
            // The first hook runs (and waits for "go"): the queue is empty again, with room for one.
            WaitFor(() => File.Exists(Path.Combine(Records, "cwd0")));
            Assert.True(hook.TryQueue(second));

            Assert.False(hook.TryQueue(third));
            var dropped = WaitForOutcome(third);
            Assert.Equal(HookEnd.NotRun, dropped.End);
            Assert.Equal("not run: queue full (1 files waiting for the hook)", dropped.Status);

            File.WriteAllBytes(Path.Combine(Records, "go"), []);
            Assert.True(WaitForOutcome(first).Succeeded);
            Assert.True(WaitForOutcome(second).Succeeded);
            Assert.Equal(2, hook.Ran);
            Assert.Equal(1, hook.Dropped);
        }
        Assert.Equal(second.Path, HookScript.Argv(Records, 1)[^1]);
    }

    [Fact]
    public void A_program_that_cannot_start_is_reported_and_the_next_file_still_gets_its_hook()
    {
        string script = HookScript.Write(_folder.Path);
        Assert.True(HookCommand.TryParse("'" + script + "' '" + Records + "'", out var command, out _));
        var file = Stored("a.bin", [1]);
        var next = Stored("b.bin", [2]);
        // Resolved at the start, then removed: what a hook deleted while the server runs looks like.
        using (var hook = new FileHook(command!, _folder.File("gone"), TimeSpan.FromSeconds(10), _observer))
        {
            Assert.True(hook.TryQueue(file));
            var outcome = WaitForOutcome(file);
            Assert.Equal(HookEnd.NotStarted, outcome.End);
            Assert.StartsWith("not started: ", outcome.Status);
        }
        using (var hook = Hook("'" + script + "' '" + Records + "'"))
        {
            Assert.True(hook.TryQueue(next));
            Assert.True(WaitForOutcome(next).Succeeded);
        }
    }

    private FileHook Hook(string text, TimeSpan? timeout = null, int capacity = FileHook.DefaultCapacity)
    {
        Assert.True(HookCommand.TryParse(text, out var command, out string error), error);
        string program = command!.Resolve() ?? throw new InvalidOperationException("no program " + command.Program);
        return new FileHook(command, program, timeout ?? TimeSpan.FromSeconds(20), _observer, capacity);
    }

    private StoredFile Stored(string name, byte[] bytes)
    {
        string path = Path.Combine(Out, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return new StoredFile(path, name, bytes.Length, "192.0.2.7:4000", 0xff, 0xab, 2, false, Out);
    }

    private HookOutcome WaitForOutcome(StoredFile file)
    {
        HookOutcome? outcome = null;
        WaitFor(() => _observer.Outcomes.TryGetValue(file.Path, out outcome));
        return outcome!;
    }

    private static void WaitFor(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < Patience, "gave up after " + Patience);
            Thread.Sleep(10);
        }
    }

    private static bool IsGone(int pid)
    {
        // Killed processes may linger as zombies of their parent for a moment: gone, or a zombie, counts.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            string stat = "/proc/" + pid + "/stat";
            if (!File.Exists(stat))
            {
                return true;
            }
            try
            {
                string text = File.ReadAllText(stat);
                if (text[(text.LastIndexOf(')') + 2)..].StartsWith('Z'))
                {
                    return true;
                }
            }
            catch (IOException)
            {
                return true;
            }
            Thread.Sleep(50);
        }
        return false;
    }

    private sealed class Recorder : IServerObserver
    {
        public ConcurrentDictionary<string, HookOutcome> Outcomes { get; } = new();

        public bool WantsDatagrams => false;

        public void SessionStarted(ReceiverSession session)
        {
        }

        public void SessionEnded(ReceiverSession session, double seconds)
        {
        }

        public void Refused(string peer, string name, string reason)
        {
        }

        public void Datagram(ReceiverSession session, ulong chunk, int length, ReadOnlySpan<byte> payload)
        {
        }

        public void HookFinished(StoredFile file, HookOutcome outcome) => Outcomes[file.Path] = outcome;
    }

    public void Dispose() => _folder.Dispose();
}
