using System.Globalization;
using Udpx.Modes;
using Udpx.Ui.Text;

namespace Udpx.Ui.Models;

/// <summary>
/// The demo: two servers and the client that sends to both, one run at a time. A plan (the four modes, given
/// at the start) runs by itself, one mode after another. Asking for a mode while a run goes queues it (the
/// latest ask wins) to run as soon as the current run ends, before the rest of the plan; each finished run
/// adds a row to the results. The runs themselves belong to the demo runner, reached through the callback
/// given at construction.
/// </summary>
internal sealed class DemoViewModel
{
    private readonly Func<ConcurrencyMode, CancellationToken, LiveDemoRun> _runScenario;
    private readonly CancellationToken _quit;
    private readonly List<ServerViewModel> _servers = [];
    private readonly List<DemoResult> _results = [];
    private readonly Queue<ConcurrencyMode> _plan = new();
    private int _runs;

    public DemoViewModel(IReadOnlyList<DemoServer> servers, Func<ConcurrencyMode, CancellationToken, LiveDemoRun> runScenario, CancellationToken quit, int streamLinesPerPoll = 3)
    {
        _runScenario = runScenario;
        _quit = quit;
        foreach (var server in servers)
        {
            _servers.Add(new ServerViewModel(server.Server, server.Stream, server.Name, streamLinesPerPoll));
        }
    }

    public IReadOnlyList<ServerViewModel> Servers => _servers;

    /// <summary>The client side of the current run, or of the last one once it ended.</summary>
    public SendViewModel? Client { get; private set; }

    public LiveDemoRun? Current { get; private set; }

    public int CurrentRun => _runs;

    public ConcurrencyMode? Queued { get; private set; }

    /// <summary>Modes of the plan still to run, in order.</summary>
    public IReadOnlyCollection<ConcurrencyMode> Planned => _plan;

    /// <summary>Lines shown above the client's transfers: the download step, the pace, the loss.</summary>
    public IReadOnlyList<string> Intro { get; init; } = [];

    /// <summary>Runs <paramref name="modes"/> one after another, starting now if nothing runs.</summary>
    public void Plan(IEnumerable<ConcurrencyMode> modes, long nowMicros)
    {
        foreach (var mode in modes)
        {
            _plan.Enqueue(mode);
        }
        if (Current is null && !_quit.IsCancellationRequested && _plan.TryDequeue(out var first))
        {
            Start(first, nowMicros);
        }
    }

    public IReadOnlyList<DemoResult> Results => _results;

    /// <summary>Runs the scenario under <paramref name="mode"/> now if nothing runs, else once the current run ends.</summary>
    public void Request(ConcurrencyMode mode, long nowMicros)
    {
        if (_quit.IsCancellationRequested)
        {
            return;
        }
        if (Current is null)
        {
            Start(mode, nowMicros);
        }
        else
        {
            Queued = mode;
        }
    }

    public void Update(long nowMicros)
    {
        foreach (var server in _servers)
        {
            server.Update(nowMicros);
        }
        Client?.Update(nowMicros);
        if (Current is { Completion.IsCompleted: true } run)
        {
            _results.Add(ResultOf(_runs, run));
            Current = null;
            if (_quit.IsCancellationRequested)
            {
                return;
            }
            if (Queued is { } next)
            {
                Queued = null;
                Start(next, nowMicros);
            }
            else if (_plan.TryDequeue(out var planned))
            {
                Start(planned, nowMicros);
            }
        }
    }

    /// <summary>"run 2: thread-async, next: process" or "idle: press 1 to 4 to run".</summary>
    public string Status()
    {
        string status = Current is { } run
            ? "run " + _runs.ToString(CultureInfo.InvariantCulture) + ": " + run.Mode.Name()
            : "idle: press 1 to 4 to run";
        return Queued is { } next ? status + ", next: " + next.Name()
            : Current is not null && _plan.TryPeek(out var planned) ? status + ", next: " + planned.Name()
            : status;
    }

    /// <summary>The client pane: the run in a line (the mode is in the pane's title, the time in the screen's header), then each server's transfers.</summary>
    public IReadOnlyList<string> ClientLines(int width)
    {
        var lines = new List<string>();
        foreach (string line in Intro)
        {
            lines.Add(PaneTable.Cut(line, width));
        }
        if (Client is null)
        {
            lines.Add(Status());
            return lines;
        }
        lines.Add(PaneTable.Cut(Client.Summary(), width));
        foreach (var group in Client.Servers)
        {
            lines.Add(PaneTable.Cut("to " + group.Title(), width));
            lines.AddRange(group.Lines(width));
        }
        return lines;
    }

    private void Start(ConcurrencyMode mode, long nowMicros)
    {
        _runs++;
        LiveDemoRun run;
        try
        {
            run = _runScenario(mode, _quit);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _results.Add(new DemoResult(_runs, mode, null, ex.Message));
            return;
        }
        Current = run;
        Client = new SendViewModel(run.Transfers, run.Mode, run.Workers, nowMicros, streamLinesPerPoll: 3);
        Client.Update(nowMicros);
    }

    private static DemoResult ResultOf(int number, LiveDemoRun run)
    {
        var task = run.Completion;
        if (task.IsCompletedSuccessfully)
        {
            return new DemoResult(number, run.Mode, task.Result, string.Empty);
        }
        if (task.IsCanceled)
        {
            return new DemoResult(number, run.Mode, null, "cancelled");
        }
        var error = task.Exception?.InnerException ?? task.Exception;
        return new DemoResult(number, run.Mode, null, error?.Message ?? "failed");
    }
}
