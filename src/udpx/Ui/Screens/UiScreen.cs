using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;
using Udpx.Modes;
using Udpx.Ui.Text;
using Udpx.Ui.Views;

namespace Udpx.Ui.Screens;

/// <summary>
/// What every udpx screen shares: a header line, a key line at the bottom, the help box, and the keys
/// (q quits, p pauses the stream, ? shows help, Tab moves between panes). A screen is redrawn only by
/// <see cref="Refresh"/>, which the host calls from a UI-thread timer that reads the engine's snapshots.
/// </summary>
internal abstract class UiScreen : Runnable
{
    private readonly TimeProvider _clock;
    private readonly long _start;
    private readonly LinesView _header;
    private readonly Label _keys;
    private readonly FrameView _help;
    private IReadOnlyList<string> _headerParts = [];

    protected UiScreen(TimeProvider clock, string keys, IReadOnlyList<string> help)
    {
        _clock = clock;
        _start = clock.GetTimestamp();
        Width = Dim.Fill();
        Height = Dim.Fill();
        BorderStyle = Terminal.Gui.Drawing.LineStyle.None;

        _header = new LinesView { X = 0, Y = 0, Width = Dim.Fill(), Height = 1, Source = width => [HeaderLine.Fit(width, [.. _headerParts])] };
        _keys = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Height = 1, Text = keys };
        var helpBody = new LinesView { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(), Source = _ => help };
        _help = new FrameView
        {
            Title = "help",
            X = Pos.Center(),
            Y = Pos.Center(),
            Width = Dim.Func(_ => Math.Min(Viewport.Width, Longest(help) + 2)),
            Height = Dim.Func(_ => Math.Min(Viewport.Height, help.Count + 2)),
            Visible = false,
        };
        _help.Add(helpBody);
        base.Add(_header, _keys);
    }

    /// <summary>The user asked to quit (q or Ctrl+C).</summary>
    public event EventHandler? QuitRequested;

    public bool Paused { get; private set; }

    public bool HelpVisible => _help.Visible;

    /// <summary>Microseconds since the screen was made, on its clock.</summary>
    public long NowMicros => _clock.GetElapsedTime(_start).Ticks / 10;

    /// <summary>Reads the snapshots and marks what changed for drawing.</summary>
    public void Refresh()
    {
        long now = NowMicros;
        Update(now);
        _headerParts = Header(now);
        SetNeedsLayout();
        SetNeedsDraw();
    }

    /// <summary>Adds the panes, then the help box over them.</summary>
    protected void AddPanes(params View[] panes)
    {
        Add(panes);
        Add(_help);
    }

    /// <summary>The header's parts, most important first; those that do not fit the width are left out.</summary>
    protected abstract IReadOnlyList<string> Header(long nowMicros);

    protected abstract void Update(long nowMicros);

    protected abstract void OnPausedChanged(bool paused);

    /// <summary>Keys 1 to 4: only the demo answers them.</summary>
    protected virtual void OnModeKey(ConcurrencyMode mode)
    {
    }

    protected override bool OnKeyDown(Key key)
    {
        if (key == Key.C.WithCtrl)
        {
            QuitRequested?.Invoke(this, EventArgs.Empty);
            return true;
        }
        if (key == Key.Esc)
        {
            // Esc only closes the help: quitting, which cancels transfers, takes a deliberate q.
            _help.Visible = false;
            return true;
        }
        int rune = key.IsCtrl || key.IsAlt ? 0 : key.AsRune.Value;
        switch (rune)
        {
            case 'q' or 'Q':
                QuitRequested?.Invoke(this, EventArgs.Empty);
                return true;
            case 'p' or 'P':
                Paused = !Paused;
                OnPausedChanged(Paused);
                SetNeedsDraw();
                return true;
            case '?':
                _help.Visible = !_help.Visible;
                SetNeedsDraw();
                return true;
            case >= '1' and <= '4':
                OnModeKey((ConcurrencyMode)(rune - '1'));
                return true;
            default:
                return base.OnKeyDown(key);
        }
    }

    /// <summary>Height for one of <paramref name="count"/> panes stacked in the rows between header and key line.</summary>
    protected Dim Share(int index, int count, int reserved = 2) => Dim.Func(_ =>
    {
        int rows = Math.Max(0, Viewport.Height - reserved);
        int each = rows / Math.Max(1, count);
        return index == count - 1 ? rows - (each * (count - 1)) : each;
    });

    private static int Longest(IReadOnlyList<string> lines)
    {
        int longest = 0;
        foreach (string line in lines)
        {
            longest = Math.Max(longest, line.Length);
        }
        return longest;
    }
}
