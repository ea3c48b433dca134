using System.Text;

namespace Udpx.Ui.Text;

/// <summary>
/// Fixed-width rows for terminal panes: columns keep their least width, columns that may grow share the
/// spare width, and text too long for its cell ends in an ellipsis. Narrower than the least width, the
/// growing columns shrink first, then the line is cut at the right edge.
/// </summary>
internal sealed class PaneTable
{
    private const int Gap = 1;
    private const int LeastGrowWidth = 4;
    private readonly PaneColumn[] _columns;

    public PaneTable(params PaneColumn[] columns)
    {
        _columns = columns;
        MinWidth = Math.Max(0, (columns.Length - 1) * Gap);
        foreach (var column in columns)
        {
            MinWidth += column.Width;
        }
    }

    public int MinWidth { get; }

    public int[] WidthsFor(int width)
    {
        int[] widths = new int[_columns.Length];
        int totalGrow = 0;
        for (int i = 0; i < _columns.Length; i++)
        {
            widths[i] = _columns[i].Width;
            totalGrow += _columns[i].Grow;
        }
        int spare = width - MinWidth;
        if (totalGrow == 0 || spare == 0)
        {
            return widths;
        }
        if (spare > 0)
        {
            int given = 0;
            int last = -1;
            for (int i = 0; i < _columns.Length; i++)
            {
                if (_columns[i].Grow > 0)
                {
                    int share = spare * _columns[i].Grow / totalGrow;
                    widths[i] += share;
                    given += share;
                    last = i;
                }
            }
            widths[last] += spare - given;
            return widths;
        }
        // Too narrow: take from the growing columns, the widest first, down to a few characters each.
        int missing = -spare;
        while (missing > 0)
        {
            int widest = -1;
            for (int i = 0; i < _columns.Length; i++)
            {
                if (_columns[i].Grow > 0 && widths[i] > LeastGrowWidth && (widest < 0 || widths[i] > widths[widest]))
                {
                    widest = i;
                }
            }
            if (widest < 0)
            {
                break;
            }
            widths[widest]--;
            missing--;
        }
        return widths;
    }

    public string Header(int width)
    {
        string[] headers = new string[_columns.Length];
        for (int i = 0; i < _columns.Length; i++)
        {
            headers[i] = _columns[i].Header;
        }
        return Row(width, headers);
    }

    public string Row(int width, params ReadOnlySpan<string> cells)
    {
        int[] widths = WidthsFor(width);
        var line = new StringBuilder(width + 8);
        for (int i = 0; i < _columns.Length; i++)
        {
            if (i > 0)
            {
                line.Append(' ', Gap);
            }
            string cell = i < cells.Length ? cells[i] : string.Empty;
            line.Append(Fit(cell, widths[i], _columns[i].AlignRight));
        }
        return Cut(line.ToString(), width);
    }

    /// <summary>Pads or shortens <paramref name="text"/> to exactly <paramref name="width"/> characters.</summary>
    public static string Fit(string text, int width, bool alignRight = false)
    {
        if (width <= 0)
        {
            return string.Empty;
        }
        if (text.Length > width)
        {
            return width == 1 ? "…" : string.Concat(text.AsSpan(0, width - 1), "…");
        }
        return alignRight ? text.PadLeft(width) : text.PadRight(width);
    }

    /// <summary>At most <paramref name="width"/> characters, trailing spaces kept.</summary>
    public static string Cut(string text, int width) => text.Length <= width ? text : text[..Math.Max(0, width)];
}
