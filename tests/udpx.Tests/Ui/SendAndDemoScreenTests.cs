using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Terminal.Gui.Time;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Tests.Support;
using Udpx.Ui;
using Udpx.Ui.Models;
using Udpx.Ui.Screens;
using Xunit.Abstractions;

namespace Udpx.Tests.Ui;

/// <summary>The send and demo screens in a real Terminal.Gui application with simulated I/O.</summary>
[Collection(TerminalTests.Name)]
public sealed class SendAndDemoScreenTests(ITestOutputHelper output)
{
    [Fact]
    public void The_send_screen_has_a_pane_per_server_with_its_transfers_and_stream()
    {
        var a = SendViewModelTests.Handle(1, "alpha.bin", "127.0.0.1:9001", 100_000);
        var b = SendViewModelTests.Handle(2, "beta.bin", "127.0.0.1:9002", 100_000);
        var c = SendViewModelTests.Handle(3, "gamma.bin", "127.0.0.1:9001", 100_000);
        a.Counters.SetPhase(TransferPhase.Sending);
        a.Counters.AddSent(1472, retransmission: false);
        a.Counters.AddAck(60_000, 2_000, 64);
        a.Stream.Record(0, 1, 41, 60_000, 1472, [0xfe, 0xed]);
        b.Complete(SendViewModelTests.Result(b, verified: true));
        var time = new VirtualTimeProvider();
        using var app = TestTerminal.Create(time);
        using var screen = new SendScreen([a, b, c], ConcurrencyMode.ThreadAsync, 4, new ManualTimeProvider());
        using var quit = new CancellationTokenSource();
        string shown = string.Empty;

        ScreenScript.Run(app, screen, quit,
            () => shown = TestTerminal.Screen(app),
            () => app.InjectKey(Key.Q));

        output.WriteLine(shown);
        Assert.True(quit.IsCancellationRequested);
        string[] lines = shown.Split('\n');
        Assert.Equal(24, lines.Length);
        Assert.StartsWith("udpx send  mode thread-async  4 workers  elapsed 00:00  1 of 3 done", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("127.0.0.1:9001: 0 of 2 done", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("127.0.0.1:9002: 1 of 1 done", StringComparison.Ordinal));
        Assert.Matches(@"alpha\.bin\s+█+\S*░+\s+60\s", shown);
        Assert.Matches(@"beta\.bin\s+█+\s+100\s.*\sok", shown);
        Assert.Matches(@"\s41\s+60,000\s+1472 fe ed", shown);
        // The panes of the two servers stack one above the other, in order.
        int first = Array.FindIndex(lines, l => l.Contains("127.0.0.1:9001:", StringComparison.Ordinal));
        int second = Array.FindIndex(lines, l => l.Contains("127.0.0.1:9002:", StringComparison.Ordinal));
        Assert.True(first > 0 && second > first + 4, shown);
    }

    [Fact]
    public void The_demo_screen_shows_both_servers_and_the_client_and_keys_1_to_4_ask_for_runs()
    {
        using var one = new LiveServer();
        using var two = new LiveServer();
        one.Start("demo.bin", 100_000, stopAfter: 60_000, port: 40011);
        two.Start("demo.bin", 100_000, stopAfter: 30_000, port: 40012);
        var runs = new List<(ConcurrencyMode Mode, TaskCompletionSource<DemoRunSummary> Done)>();
        LiveDemoRun Runner(ConcurrencyMode mode, CancellationToken cancellationToken)
        {
            var done = new TaskCompletionSource<DemoRunSummary>();
            runs.Add((mode, done));
            TransferHandle[] handles =
            [
                SendViewModelTests.Handle(1, "demo.bin", "127.0.0.1:9001", 100_000),
                SendViewModelTests.Handle(2, "demo.bin", "127.0.0.1:9002", 100_000),
            ];
            return new LiveDemoRun(mode, 2, handles, done.Task);
        }

        var time = new VirtualTimeProvider();
        var clock = new ManualTimeProvider();
        using var app = TestTerminal.Create(time);
        using var quit = new CancellationTokenSource();
        var model = new DemoViewModel([new DemoServer("server 1", one.Server, one.Ring), new DemoServer("server 2", two.Server, two.Ring)], Runner, quit.Token);
        using var screen = new DemoScreen(model, clock);
        model.Request(ConcurrencyMode.Process, screen.NowMicros);
        var frames = new List<string>();

        ScreenScript.Run(app, screen, quit,
            () => frames.Add(TestTerminal.Screen(app)),
            () => app.InjectKey(new Key('4')),
            () => frames.Add(TestTerminal.Screen(app)),
            () =>
            {
                runs[0].Done.SetResult(new DemoRunSummary(ConcurrencyMode.Process, 3.5, 2_000_000, 150, 4, true));
                clock.Advance(ScreenHost.RefreshInterval);
                time.Advance(ScreenHost.RefreshInterval);
            },
            () => { },
            () => frames.Add(TestTerminal.Screen(app)),
            () => app.InjectKey(Key.Q));

        foreach (string frame in frames)
        {
            output.WriteLine(frame);
            output.WriteLine(string.Empty);
        }
        Assert.True(quit.IsCancellationRequested);
        Assert.Equal([ConcurrencyMode.Process, ConcurrencyMode.ThreadAsync], runs.Select(r => r.Mode));
        string[] lines = frames[0].Split('\n');
        Assert.Equal(24, lines.Length);
        Assert.StartsWith("udpx demo  run 1: process", lines[0], StringComparison.Ordinal);
        Assert.Contains("server 1", lines[1], StringComparison.Ordinal);
        Assert.Contains("client, process", lines[1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("server 2", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("to 127.0.0.1:9002", StringComparison.Ordinal));
        Assert.Contains("no run finished yet", frames[0], StringComparison.Ordinal);
        Assert.Contains("next: thread-async", frames[1].Split('\n')[0], StringComparison.Ordinal);
        Assert.StartsWith("udpx demo  run 2: thread-async", frames[2], StringComparison.Ordinal);
        Assert.Matches(@"process\s+3\.50 s\s+2\.00 MB/s\s+4 ok", frames[2]);
        // The new run's transfers show at once, not a tick later.
        Assert.Matches(@"demo\.bin\s+░+\s+0\s+0 B/s queued", frames[2]);
    }
}
