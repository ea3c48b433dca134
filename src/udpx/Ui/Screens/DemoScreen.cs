using Terminal.Gui.ViewBase;
using Udpx.Modes;
using Udpx.Ui.Models;
using Udpx.Ui.Text;
using Udpx.Ui.Views;

namespace Udpx.Ui.Screens;

/// <summary>
/// The demo: the servers' panes on the left, the client's on the right with the table of runs below it.
/// Keys 1 to 4 run the scenario again under another mode. At 80 columns the right side gets 42, so that
/// the table of runs shows whole mode names.
/// </summary>
internal sealed class DemoScreen : UiScreen
{
    private const int ResultRows = 4;
    private const int LeftPercent = 48;
    private readonly DemoViewModel _model;
    private readonly List<(Pane Pane, ServerViewModel Server)> _servers = [];
    private readonly Pane _client;
    private readonly Pane _results;

    public DemoScreen(DemoViewModel model, TimeProvider clock)
        : base(clock, "1 process 2 thread 3 process-async 4 thread-async  p pause  Tab  ? help  q quit", [.. HelpText.Demo, .. HelpText.Common, string.Empty, .. HelpText.Stream])
    {
        _model = model;
        var views = new List<View>();
        View? above = null;
        for (int i = 0; i < model.Servers.Count; i++)
        {
            var server = model.Servers[i];
            var body = new LinesView { Width = Dim.Fill(), Height = Dim.Fill() };
            body.Source = width => server.CompactLines(width, body.Viewport.Height);
            var pane = new Pane(server.Name)
            {
                X = 0,
                Y = above is null ? 1 : Pos.Bottom(above),
                Width = Dim.Percent(LeftPercent),
                Height = Share(i, model.Servers.Count),
                ScrollTarget = body,
            };
            pane.Add(body);
            _servers.Add((pane, server));
            views.Add(pane);
            above = pane;
        }

        var clientBody = new LinesView { Width = Dim.Fill(), Height = Dim.Fill(), Source = model.ClientLines };
        _client = new Pane("client")
        {
            X = model.Servers.Count > 0 ? Pos.Percent(LeftPercent) : 0,
            Y = 1,
            Width = Dim.Fill(),
            Height = Dim.Fill(ResultRows + 4),
            ScrollTarget = clientBody,
        };
        _client.Add(clientBody);

        var resultsBody = new LinesView { Width = Dim.Fill(), Height = Dim.Fill(), PinHeader = true, FollowTail = true };
        resultsBody.Source = width => ResultsTable.Lines(model.Results, width);
        _results = new Pane("runs")
        {
            X = Pos.Left(_client),
            Y = Pos.Bottom(_client),
            Width = Dim.Fill(),
            Height = ResultRows + 3,
            ScrollTarget = resultsBody,
        };
        _results.Add(resultsBody);
        views.Add(_client);
        views.Add(_results);
        AddPanes([.. views]);
    }

    public DemoViewModel Model => _model;

    protected override IReadOnlyList<string> Header(long nowMicros) =>
        ["udpx demo", _model.Status(), _model.Client is { } client ? "elapsed " + DurationText.Elapsed(client.Elapsed) : string.Empty];

    protected override void Update(long nowMicros)
    {
        _model.Update(nowMicros);
        foreach (var (pane, server) in _servers)
        {
            pane.Caption = server.Name + ", " + server.Stream.SamplingText();
        }
        _client.Caption = _model.Client is { } c ? "client, " + c.Mode.Name() : "client";
        _results.Caption = "runs: " + _model.Results.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    protected override void OnModeKey(ConcurrencyMode mode)
    {
        _model.Request(mode, NowMicros);
        Refresh();
    }

    protected override void OnPausedChanged(bool paused)
    {
        foreach (var (_, server) in _servers)
        {
            server.Stream.Paused = paused;
        }
        if (_model.Client is { } client)
        {
            foreach (var group in client.Servers)
            {
                group.Stream.Paused = paused;
            }
        }
    }
}
