using Terminal.Gui.ViewBase;
using Udpx.Ui.Text;

namespace Udpx.Ui.Views;

/// <summary>
/// Lines of text from a view model, formatted for the current width at each draw, so that a resize never
/// shows a stale layout. The first line can stay pinned as a header; a log-like view follows its tail.
/// Scrolling is driven by the pane that holds it.
/// </summary>
internal sealed class LinesView : View
{
    private int _offset;

    public LinesView()
    {
        CanFocus = false;
    }

    /// <summary>Every line for a width; the view picks what fits.</summary>
    public Func<int, IReadOnlyList<string>>? Source { get; set; }

    /// <summary>Shows the newest (last) lines unless scrolled back, like a log.</summary>
    public bool FollowTail { get; init; }

    /// <summary>The first line is a header that stays on top.</summary>
    public bool PinHeader { get; init; }

    /// <summary>How many lines the source gave at the last draw.</summary>
    public int LineCount { get; private set; }

    /// <summary>Lines hidden at the last draw, or 0 when everything fit.</summary>
    public int Overflow { get; private set; }

    /// <summary>Moves towards the start (negative) or the end (positive) of the lines.</summary>
    public void ScrollBy(int lines)
    {
        _offset = FollowTail ? Math.Max(0, _offset - lines) : Math.Max(0, _offset + lines);
        SetNeedsDraw();
    }

    public void ScrollToStart()
    {
        _offset = FollowTail ? int.MaxValue / 2 : 0;
        SetNeedsDraw();
    }

    public void ScrollToEnd()
    {
        _offset = FollowTail ? 0 : int.MaxValue / 2;
        SetNeedsDraw();
    }

    /// <summary>The lines this view shows for its current size: what the screen test reads back too.</summary>
    public IReadOnlyList<string> VisibleLines(int width, int height)
    {
        var lines = Source?.Invoke(width) ?? [];
        LineCount = lines.Count;
        var shown = new List<string>(Math.Max(0, height));
        if (height <= 0 || lines.Count == 0)
        {
            Overflow = Math.Max(0, lines.Count - Math.Max(0, height));
            return shown;
        }
        int first = 0;
        if (PinHeader)
        {
            shown.Add(lines[0]);
            first = 1;
        }
        int rows = height - shown.Count;
        int body = lines.Count - first;
        int hidden = Math.Max(0, body - rows);
        _offset = Math.Min(_offset, hidden);
        int start = first + (FollowTail ? hidden - _offset : _offset);
        for (int i = start; i < Math.Min(lines.Count, start + rows); i++)
        {
            shown.Add(lines[i]);
        }
        Overflow = hidden;
        return shown;
    }

    protected override bool OnDrawingContent(DrawContext? context)
    {
        int width = Viewport.Width;
        var lines = VisibleLines(width, Viewport.Height);
        for (int row = 0; row < lines.Count; row++)
        {
            Move(0, row);
            AddStr(PaneTable.Fit(lines[row], width));
        }
        return true;
    }
}
