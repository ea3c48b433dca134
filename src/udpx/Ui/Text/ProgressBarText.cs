namespace Udpx.Ui.Text;

/// <summary>A progress bar drawn with block characters, an eighth of a cell at a time.</summary>
internal static class ProgressBarText
{
    private const string Partials = " ▏▎▍▌▋▊▉";
    private const char Full = '█';
    private const char Empty = '░';

    public static string Render(double fraction, int width)
    {
        if (width <= 0)
        {
            return string.Empty;
        }
        if (double.IsNaN(fraction))
        {
            fraction = 0;
        }
        int eighths = (int)Math.Floor(Math.Clamp(fraction, 0, 1) * width * 8);
        int full = eighths / 8;
        int partial = eighths % 8;
        Span<char> bar = width <= 256 ? stackalloc char[width] : new char[width];
        bar.Fill(Empty);
        bar[..full].Fill(Full);
        if (partial > 0 && full < width)
        {
            bar[full] = Partials[partial];
        }
        return new string(bar);
    }
}
