using Terminal.Gui.App;
using Udpx.Modes;
using Udpx.Net;
using Udpx.Server;
using Udpx.Tftp;
using Udpx.Ui.Models;
using Udpx.Ui.Screens;

namespace Udpx.Ui;

/// <summary>
/// The terminal UI's entry points for the command line. Each call takes over the terminal until the user
/// presses q or the given token is cancelled, restores the terminal, and returns; either way the token
/// ends up cancelled, and the caller finishes or cancels its transfers. Call only when <see cref="IsInteractive"/>.
/// </summary>
internal static class TerminalUi
{
    /// <summary>
    /// Standard input and output are a terminal, not a dumb one, and it has a size: a GNS3 console whose client
    /// sent none (no telnet NAWS) is a 0x0 terminal, on which the UI draws nothing, so plain lines go there.
    /// </summary>
    public static bool IsInteractive => !Console.IsInputRedirected && !Console.IsOutputRedirected
        && IsInteractiveTerminal(false, false, Environment.GetEnvironmentVariable("TERM"), WindowSize());

    internal static bool IsInteractiveTerminal(bool inputRedirected, bool outputRedirected, string? term, (int Columns, int Rows) size) =>
        !inputRedirected && !outputRedirected && !string.Equals(term, "dumb", StringComparison.Ordinal) && size.Columns > 0 && size.Rows > 0;

    private static (int Columns, int Rows) WindowSize()
    {
        try
        {
            return (Console.WindowWidth, Console.WindowHeight);
        }
        catch (IOException)
        {
            return (0, 0);
        }
    }

    /// <summary>Shows a running server: its sessions, the datagrams it receives, its rate over the last minute.</summary>
    /// <param name="stream">The ring the server records received datagrams into.</param>
    /// <param name="name">Header text, such as "udpx server on 0.0.0.0:9000 into ./inbox".</param>
    public static void RunServer(ServerProtocol server, DatagramRing stream, CancellationTokenSource quit, string name = "udpx server") =>
        RunServer(ServerShards.Of(server, stream), quit, name);

    /// <summary>The same for a server on several receive threads, shown as one; with <paramref name="tftp"/>, its transfers in the sessions table.</summary>
    public static void RunServer(ServerShards server, CancellationTokenSource quit, string name = "udpx server", TftpServer? tftp = null)
    {
        TerminalGuiStartup.EnsureConfigured();
        using var screen = new ServerScreen(new ServerViewModel(server, name, tftp: tftp), TimeProvider.System);
        Run(screen, quit);
    }

    /// <summary>Shows transfers as they go, one pane per destination server; stays up after they end until q.</summary>
    /// <param name="workers">Worker count for the header; 0 when each transfer gets its own.</param>
    public static void RunSend(IReadOnlyList<TransferHandle> transfers, ConcurrencyMode mode, int workers, CancellationTokenSource quit)
    {
        TerminalGuiStartup.EnsureConfigured();
        using var screen = new SendScreen(transfers, mode, workers, TimeProvider.System);
        Run(screen, quit);
    }

    /// <summary>
    /// Runs the demo: runs <paramref name="runScenario"/> under each mode of <paramref name="plan"/> in turn, without
    /// a key press, then again under whichever mode keys 1 to 4 ask for, one run at a time. Returns the summaries of
    /// the runs that finished. A run still going when the UI ends was cancelled through the token; awaiting it is the
    /// runner's business.
    /// </summary>
    /// <param name="intro">Lines for the top of the client pane (the download step).</param>
    public static IReadOnlyList<DemoRunSummary> RunDemo(
        IReadOnlyList<DemoServer> servers,
        Func<ConcurrencyMode, CancellationToken, LiveDemoRun> runScenario,
        IReadOnlyList<ConcurrencyMode> plan,
        IReadOnlyList<string> intro,
        CancellationTokenSource quit)
    {
        TerminalGuiStartup.EnsureConfigured();
        var model = new DemoViewModel(servers, runScenario, quit.Token) { Intro = intro };
        using var screen = new DemoScreen(model, TimeProvider.System);
        model.Plan(plan, screen.NowMicros);
        Run(screen, quit);
        var summaries = new List<DemoRunSummary>(model.Results.Count);
        foreach (var result in model.Results)
        {
            if (result.Summary is { } summary)
            {
                summaries.Add(summary);
            }
        }
        return summaries;
    }

    private static void Run(UiScreen screen, CancellationTokenSource quit)
    {
        using var app = Application.Create();
        app.Init();
        ScreenHost.Run(app, screen, quit);
    }
}
