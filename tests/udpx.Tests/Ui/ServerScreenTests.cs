using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Terminal.Gui.Time;
using Udpx.Tests.Support;
using Udpx.Ui.Models;
using Udpx.Ui.Screens;
using Xunit.Abstractions;

namespace Udpx.Tests.Ui;

/// <summary>The server screen in a real Terminal.Gui application: simulated terminal, injected keys, screen read back.</summary>
[Collection(TerminalTests.Name)]
public sealed class ServerScreenTests(ITestOutputHelper output)
{
    [Fact]
    public void Shows_a_session_row_at_80x24_and_q_ends_the_run_and_cancels_the_token()
    {
        using var live = new LiveServer();
        live.Start("report.bin", 200_000, stopAfter: 100_000);
        var time = new VirtualTimeProvider();
        using var app = TestTerminal.Create(time);
        using var screen = new ServerScreen(new ServerViewModel(live.Server, live.Ring), new ManualTimeProvider());
        using var quit = new CancellationTokenSource();
        string shown = string.Empty;

        ScreenScript.Run(app, screen, quit,
            () => shown = TestTerminal.Screen(app),
            () => app.InjectKey(Key.Q));

        output.WriteLine(shown);
        Assert.True(quit.IsCancellationRequested);
        string[] lines = shown.Split('\n');
        Assert.Equal(24, lines.Length);
        Assert.All(lines, line => Assert.True(line.Length <= 80));
        string row = Assert.Single(lines, line => line.Contains("127.0.0.1:40000", StringComparison.Ordinal) && line.Contains("report.bin", StringComparison.Ordinal));
        Assert.Contains("recv", row, StringComparison.Ordinal);
        Assert.Matches(@"\s(49|50)\s", row);
        Assert.Contains("first bytes", shown, StringComparison.Ordinal);
        Assert.Contains("q quit", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_timer_refreshes_the_screen_from_new_snapshots()
    {
        using var live = new LiveServer();
        var transfer = live.Start("grow.bin", 400_000, stopAfter: 50_000);
        var time = new VirtualTimeProvider();
        var clock = new ManualTimeProvider();
        using var app = TestTerminal.Create(time);
        using var screen = new ServerScreen(new ServerViewModel(live.Server, live.Ring), clock);
        using var quit = new CancellationTokenSource();
        string before = string.Empty;
        string after = string.Empty;

        ScreenScript.Run(app, screen, quit,
            () => before = TestTerminal.Screen(app),
            () =>
            {
                live.Continue(transfer, 300_000);
                clock.Advance(TimeSpan.FromMilliseconds(250));
                time.Advance(ScreenHost.RefreshInterval);
            },
            () => { },
            () => after = TestTerminal.Screen(app),
            () => app.InjectKey(Key.Q));

        output.WriteLine(after);
        Assert.Contains(" 12 ", Row(before, "grow.bin"), StringComparison.Ordinal);
        string row = Row(after, "grow.bin");
        Assert.Contains(" 75 ", row, StringComparison.Ordinal);
        Assert.DoesNotContain(" 0 B/s", row, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tftp_transfer_that_ended_shows_beside_a_udpx_session_at_80x24()
    {
        using var tftp = new Udpx.Tests.Tftp.TftpFixture(allowWrite: false);
        tftp.Shared("boot.img", new byte[300]);
        using (var client = new TftpHandClient())
        {
            client.Read(tftp.Port, "boot.img");
            client.Ack(1, last: true);
        }
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (tftp.Server.Stats.Completed == 0 && DateTime.UtcNow < until)
        {
            Thread.Sleep(10);
        }
        using var live = new LiveServer();
        live.Start("report.bin", 200_000, stopAfter: 100_000);
        var time = new VirtualTimeProvider();
        using var app = TestTerminal.Create(time);
        var model = new ServerViewModel(Udpx.Server.ServerShards.Of(live.Server, live.Ring), tftp: tftp.Server);
        using var screen = new ServerScreen(model, new ManualTimeProvider());
        using var quit = new CancellationTokenSource();
        string shown = string.Empty;

        ScreenScript.Run(app, screen, quit,
            () => shown = TestTerminal.Screen(app),
            () => app.InjectKey(Key.Q));

        output.WriteLine(shown);
        string[] lines = shown.Split('\n');
        string tftpRow = Assert.Single(lines, line => line.Contains("tftp 127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains("boot.img", tftpRow, StringComparison.Ordinal);
        Assert.Contains(" 100 ", tftpRow, StringComparison.Ordinal);
        Assert.Contains("sent", tftpRow, StringComparison.Ordinal);
        Assert.Contains("recv", Assert.Single(lines, line => line.Contains("report.bin", StringComparison.Ordinal) && line.Contains("127.0.0.1:40000", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("1 active / 2 sessions", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Tab_moves_between_panes_p_pauses_the_stream_and_help_opens_and_closes_without_quitting()
    {
        using var live = new LiveServer();
        live.Start("keys.bin", 100_000, stopAfter: 30_000);
        var time = new VirtualTimeProvider();
        using var app = TestTerminal.Create(time);
        using var screen = new ServerScreen(new ServerViewModel(live.Server, live.Ring), new ManualTimeProvider());
        using var quit = new CancellationTokenSource();
        var frames = new List<string>();
        void Capture() => frames.Add(TestTerminal.Screen(app));

        ScreenScript.Run(app, screen, quit,
            Capture,
            () => app.InjectKey(Key.Tab),
            Capture,
            () => app.InjectKey(new Key('p')),
            Capture,
            () => app.InjectKey(new Key('?')),
            Capture,
            () => app.InjectKey(Key.Esc),
            Capture,
            () => app.InjectKey(Key.Tab.WithShift),
            Capture,
            () => app.InjectKey(Key.Q));

        Assert.Contains("▶ sessions", frames[0], StringComparison.Ordinal);
        Assert.Contains("▶ datagrams", frames[1], StringComparison.Ordinal);
        Assert.DoesNotContain("▶ sessions", frames[1], StringComparison.Ordinal);
        Assert.Contains("datagrams: paused", frames[2], StringComparison.Ordinal);
        Assert.True(screen.Paused);
        output.WriteLine(frames[3]);
        Assert.Contains("close this help", frames[3], StringComparison.Ordinal);
        Assert.DoesNotContain("close this help", frames[4], StringComparison.Ordinal);
        Assert.Contains("keys.bin", frames[4], StringComparison.Ordinal);
        Assert.Contains("▶ sessions", frames[5], StringComparison.Ordinal);
    }

    [Fact]
    public void The_layout_follows_a_resize()
    {
        using var live = new LiveServer();
        live.Start("wide.bin", 100_000, stopAfter: 30_000);
        var time = new VirtualTimeProvider();
        using var app = TestTerminal.Create(time);
        using var screen = new ServerScreen(new ServerViewModel(live.Server, live.Ring), new ManualTimeProvider());
        using var quit = new CancellationTokenSource();
        string shown = string.Empty;

        ScreenScript.Run(app, screen, quit,
            () => app.Driver!.SetScreenSize(120, 36),
            () => { },
            () => shown = TestTerminal.Screen(app),
            () => app.InjectKey(Key.Q));

        output.WriteLine(shown);
        string[] lines = shown.Split('\n');
        Assert.Equal(36, lines.Length);
        Assert.Equal(120, lines[1].Length);
        Assert.Contains("q quit", lines[^1], StringComparison.Ordinal);
        // The sessions table spreads its client and file columns over the extra width.
        string header = Assert.Single(lines, line => line.Contains("client", StringComparison.Ordinal) && line.Contains("received", StringComparison.Ordinal));
        Assert.True(header.IndexOf("received", StringComparison.Ordinal) > 70, header);
    }

    [Fact]
    public void A_token_cancelled_elsewhere_ends_the_run_at_the_next_tick()
    {
        using var live = new LiveServer();
        var time = new VirtualTimeProvider();
        using var app = TestTerminal.Create(time);
        using var screen = new ServerScreen(new ServerViewModel(live.Server, live.Ring), new ManualTimeProvider());
        using var quit = new CancellationTokenSource();
        string shown = string.Empty;

        ScreenScript.Run(app, screen, quit,
            () => shown = TestTerminal.Screen(app),
            quit.Cancel,
            () => time.Advance(ScreenHost.RefreshInterval));

        Assert.Contains("no sessions yet", shown, StringComparison.Ordinal);
        Assert.False(screen.IsRunning);
    }

    private static string Row(string screen, string name) =>
        Assert.Single(screen.Split('\n'), line => line.Contains(name, StringComparison.Ordinal) && line.Contains("127.0.0.1", StringComparison.Ordinal) && !line.Contains("chunk", StringComparison.Ordinal) && line.Contains("recv", StringComparison.Ordinal));
}
