using Terminal.Gui.ViewBase;
using Udpx.Modes;
using Udpx.Ui.Models;
using Udpx.Ui.Views;

namespace Udpx.Ui.Screens;

/// <summary>
/// A client sending: one pane per destination server, each with its transfers on top and the datagrams
/// going there below; the header says the mode, the worker count and the time so far.
/// </summary>
internal sealed class SendScreen : UiScreen
{
    private readonly SendViewModel _model;
    private readonly List<(Pane Pane, ServerGroup Group, LinesView Table, LinesView Stream)> _panes = [];

    public SendScreen(IReadOnlyList<TransferHandle> transfers, ConcurrencyMode mode, int workers, TimeProvider clock)
        : base(clock, "q quit  p pause  Tab next pane  Up/Down scroll  ? help", [.. HelpText.Common, string.Empty, .. HelpText.Stream])
    {
        _model = new SendViewModel(transfers, mode, workers, NowMicros);
        var panes = new List<View>();
        int count = _model.Servers.Count;
        View? above = null;
        for (int i = 0; i < count; i++)
        {
            var group = _model.Servers[i];
            var pane = new Pane(group.Server)
            {
                X = 0,
                Y = above is null ? 1 : Pos.Bottom(above),
                Width = Dim.Fill(),
                Height = Share(i, count),
            };
            var table = new LinesView { Width = Dim.Fill(), PinHeader = true, Source = group.Lines };
            // The transfers take what they need, leaving the stream at least its header and two lines.
            table.Height = Dim.Func(_ => Math.Max(1, Math.Min(table.LineCount == 0 ? group.Transfers.Count + 1 : table.LineCount, pane.Viewport.Height - 3)));
            var stream = new LinesView { Y = Pos.Bottom(table), Width = Dim.Fill(), Height = Dim.Fill(), PinHeader = true, FollowTail = true, Source = group.Stream.Lines };
            pane.Add(table, stream);
            pane.ScrollTarget = stream;
            _panes.Add((pane, group, table, stream));
            panes.Add(pane);
            above = pane;
        }
        AddPanes([.. panes]);
    }

    public SendViewModel Model => _model;

    protected override IReadOnlyList<string> Header(long nowMicros) =>
        ["udpx send", .. _model.HeaderParts(), _model.Outcome(), _model.AllFinished ? "q to exit" : string.Empty];

    protected override void Update(long nowMicros)
    {
        _model.Update(nowMicros);
        foreach (var (pane, group, table, stream) in _panes)
        {
            pane.Caption = group.Title() + ", " + group.Stream.SamplingText();
            // Scroll what overflows: the transfers when there are more than fit, else the stream.
            pane.ScrollTarget = table.Overflow > 0 ? table : stream;
        }
    }

    protected override void OnPausedChanged(bool paused)
    {
        foreach (var (pane, group, _, _) in _panes)
        {
            group.Stream.Paused = paused;
            pane.Caption = group.Title() + ", " + group.Stream.SamplingText();
        }
    }
}
