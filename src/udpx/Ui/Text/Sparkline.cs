namespace Udpx.Ui.Text;

/// <summary>
/// A bar graph in block characters, eight levels per row: the newest value in the rightmost column,
/// any value above zero at least one level high so that a trickle still shows.
/// </summary>
internal static class Sparkline
{
    private const string Levels = " ▁▂▃▄▅▆▇█";

    /// <summary>Rows from top to bottom, each <paramref name="width"/> characters; each value takes <paramref name="columnsPerValue"/> columns.</summary>
    public static string[] Render(ReadOnlySpan<double> values, int width, int height, double max = 0, int columnsPerValue = 1)
    {
        width = Math.Max(0, width);
        height = Math.Max(0, height);
        columnsPerValue = Math.Max(1, columnsPerValue);
        if (max <= 0)
        {
            foreach (double v in values)
            {
                max = Math.Max(max, v);
            }
        }
        var rows = new char[height][];
        for (int r = 0; r < height; r++)
        {
            rows[r] = new char[width];
            Array.Fill(rows[r], ' ');
        }
        int shown = Math.Min(values.Length, width / columnsPerValue);
        int firstColumn = width - (shown * columnsPerValue);
        for (int i = 0; i < shown; i++)
        {
            double value = values[values.Length - shown + i];
            int level = max > 0 && value > 0 ? Math.Max(1, (int)Math.Round(value / max * height * 8)) : 0;
            level = Math.Min(level, height * 8);
            for (int r = 0; r < height; r++)
            {
                int below = (height - 1 - r) * 8;
                char glyph = Levels[Math.Clamp(level - below, 0, 8)];
                for (int c = 0; c < columnsPerValue; c++)
                {
                    rows[r][firstColumn + (i * columnsPerValue) + c] = glyph;
                }
            }
        }
        var lines = new string[height];
        for (int r = 0; r < height; r++)
        {
            lines[r] = new string(rows[r]);
        }
        return lines;
    }
}
