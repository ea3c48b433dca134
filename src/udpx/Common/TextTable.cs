using System.Text;

namespace Udpx.Common;

/// <summary>A table of text cells, rendered padded for a terminal or as a Markdown table.</summary>
internal sealed class TextTable
{
    private readonly (string Header, bool RightAligned)[] _columns;
    private readonly List<string[]> _rows = [];

    /// <param name="columns">Headers; a header starting with '&gt;' is right-aligned (the marker is dropped).</param>
    public TextTable(params string[] columns)
    {
        _columns = [.. columns.Select(c => c.StartsWith('>') ? (c[1..], true) : (c, false))];
    }

    public int RowCount => _rows.Count;

    public void Add(params string[] cells)
    {
        if (cells.Length != _columns.Length)
        {
            throw new ArgumentException("a row needs " + _columns.Length + " cells, got " + cells.Length, nameof(cells));
        }
        _rows.Add(cells);
    }

    /// <summary>Columns padded to their widest cell, two spaces apart, a dashed line under the headers.</summary>
    public string Render()
    {
        int[] widths = new int[_columns.Length];
        for (int c = 0; c < _columns.Length; c++)
        {
            widths[c] = Math.Max(_columns[c].Header.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[c].Length));
        }
        var text = new StringBuilder();
        AppendLine(text, [.. _columns.Select(c => c.Header)], widths);
        text.Append(new string('-', widths.Sum() + (2 * (widths.Length - 1)))).Append('\n');
        foreach (var row in _rows)
        {
            AppendLine(text, row, widths);
        }
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>A GitHub-flavoured Markdown table; pipes inside cells are escaped.</summary>
    public string RenderMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", _columns.Select(c => Escape(c.Header))).Append(" |\n");
        text.Append('|').AppendJoin('|', _columns.Select(c => c.RightAligned ? "---:" : "---")).Append("|\n");
        foreach (var row in _rows)
        {
            text.Append("| ").AppendJoin(" | ", row.Select(Escape)).Append(" |\n");
        }
        return text.ToString().TrimEnd('\n');
    }

    private void AppendLine(StringBuilder text, string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (int c = 0; c < cells.Length; c++)
        {
            if (c > 0)
            {
                line.Append("  ");
            }
            line.Append(_columns[c].RightAligned ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c]));
        }
        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);
}
