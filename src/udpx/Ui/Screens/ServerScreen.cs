using Terminal.Gui.ViewBase;
using Udpx.Ui.Models;
using Udpx.Ui.Views;

namespace Udpx.Ui.Screens;

/// <summary>
/// A server at work: its sessions, the live stream of datagrams it receives, and its receive rate over
/// the last minute. At 80x24: eight rows of sessions, seven of stream, three of graph.
/// </summary>
internal sealed class ServerScreen : UiScreen
{
    private const int GraphRows = 3;
    private readonly ServerViewModel _model;
    private readonly Pane _sessions;
    private readonly Pane _stream;
    private readonly Pane _graph;

    public ServerScreen(ServerViewModel model, TimeProvider clock)
        : base(clock, "q quit  p pause  Tab next pane  Up/Down scroll  ? help", [.. HelpText.Common, .. HelpText.Server, string.Empty, .. HelpText.Stream])
    {
        _model = model;

        var sessionsBody = new LinesView { Width = Dim.Fill(), Height = Dim.Fill(), PinHeader = true, Source = model.Sessions.Lines };
        _sessions = new Pane("sessions") { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Percent(35), ScrollTarget = sessionsBody };
        _sessions.Add(sessionsBody);

        var streamBody = new LinesView { Width = Dim.Fill(), Height = Dim.Fill(), PinHeader = true, FollowTail = true, Source = model.Stream.Lines };
        _stream = new Pane("datagrams") { X = 0, Y = Pos.Bottom(_sessions), Width = Dim.Fill(), Height = Dim.Fill(GraphRows + 3), ScrollTarget = streamBody };
        _stream.Add(streamBody);

        var graphBody = new LinesView { Width = Dim.Fill(), Height = Dim.Fill() };
        graphBody.Source = width => model.GraphLines(width, GraphRows);
        _graph = new Pane("rate") { X = 0, Y = Pos.Bottom(_stream), Width = Dim.Fill(), Height = GraphRows + 2 };
        _graph.Add(graphBody);

        AddPanes(_sessions, _stream, _graph);
    }

    public ServerViewModel Model => _model;

    protected override IReadOnlyList<string> Header(long nowMicros) => _model.HeaderParts();

    protected override void Update(long nowMicros)
    {
        _model.Update(nowMicros);
        string problems = _model.Problems();
        _sessions.Caption = problems.Length > 0 ? "sessions, " + problems : "sessions";
        _stream.Caption = _model.Stream.Title("datagrams");
        _graph.Caption = _model.GraphTitle();
    }

    protected override void OnPausedChanged(bool paused)
    {
        _model.Stream.Paused = paused;
        _stream.Caption = _model.Stream.Title("datagrams");
    }
}
