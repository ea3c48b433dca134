using System.Globalization;
using System.Text;

namespace Udpx.Common.Charts;

/// <summary>
/// A grouped bar chart written as plain SVG text (no library): a bar per series in each category,
/// a value over each bar, a y axis with round ticks and a legend. Several charts stack in one document.
/// </summary>
internal sealed record SvgBarChart(string Title, string Unit, IReadOnlyList<string> Categories, IReadOnlyList<ChartSeries> Series)
{
    private const int Left = 72;
    private const int Right = 24;
    private const int Top = 56;
    private const int PlotHeight = 220;
    private const int Bottom = 64;
    private const int BarWidth = 26;
    private const int GroupGap = 36;

    public const int PanelHeight = Top + PlotHeight + Bottom;

    /// <summary>Colours for the four modes, then for anything else.</summary>
    public static readonly string[] Palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"];

    public int Width => Math.Max(520, Left + Right + (Categories.Count * GroupWidth));

    private int BarsWidth => Math.Max(1, Series.Count) * BarWidth;

    /// <summary>Room for a category: its bars and a gap, or its label if that is wider (about 7 px a character at 12 px).</summary>
    private int GroupWidth => Math.Max(BarsWidth + GroupGap, (Categories.Count == 0 ? 0 : Categories.Max(c => c.Length) * 7) + 12);

    /// <summary>The charts one under the other in a single SVG document.</summary>
    public static string Render(IReadOnlyList<SvgBarChart> charts)
    {
        int width = charts.Count == 0 ? 520 : charts.Max(c => c.Width);
        int height = Math.Max(1, charts.Count) * PanelHeight;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <title>{Escape(string.Join("; ", charts.Select(c => c.Title)))}</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        for (int i = 0; i < charts.Count; i++)
        {
            charts[i].AppendPanel(svg, i * PanelHeight);
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private void AppendPanel(StringBuilder svg, int y0)
    {
        double max = Series.SelectMany(s => s.Values).Where(v => !double.IsNaN(v) && !double.IsInfinity(v)).DefaultIfEmpty(0).Max();
        double step = SvgText.NiceStep(max / 5);
        double top = Math.Max(step, Math.Ceiling(max / step) * step);
        int plotWidth = Width - Left - Right;
        int baseY = y0 + Top + PlotHeight;

        svg.Append(CultureInfo.InvariantCulture, $"  <g>\n    <text x=\"{Left}\" y=\"{y0 + 22}\" font-size=\"15\" font-weight=\"bold\">{Escape(Title)}</text>\n");
        SvgText.AppendValueAxis(svg, Unit, 14, Left, plotWidth, baseY, PlotHeight, top, step);
        svg.Append(CultureInfo.InvariantCulture, $"    <line x1=\"{Left}\" y1=\"{baseY}\" x2=\"{Left + plotWidth}\" y2=\"{baseY}\" stroke=\"#333333\"/>\n");

        int groupWidth = GroupWidth;
        for (int c = 0; c < Categories.Count; c++)
        {
            int gx = Left + (c * groupWidth) + ((groupWidth - BarsWidth) / 2);
            for (int s = 0; s < Series.Count; s++)
            {
                double value = c < Series[s].Values.Count ? Series[s].Values[c] : double.NaN;
                if (double.IsNaN(value) || double.IsInfinity(value))
                {
                    continue;
                }
                double h = Math.Max(0, value / top * PlotHeight);
                int x = gx + (s * BarWidth);
                svg.Append(CultureInfo.InvariantCulture, $"    <rect x=\"{x}\" y=\"{baseY - h:0.#}\" width=\"{BarWidth - 4}\" height=\"{h:0.#}\" fill=\"{Escape(Series[s].Color)}\"><title>{Escape(Series[s].Name + ", " + Categories[c] + ": " + Number(value) + " " + Unit)}</title></rect>\n");
                svg.Append(CultureInfo.InvariantCulture, $"    <text x=\"{x + ((BarWidth - 4) / 2.0):0.#}\" y=\"{baseY - h - 4:0.#}\" text-anchor=\"middle\" font-size=\"10\">{Number(value)}</text>\n");
            }
            svg.Append(CultureInfo.InvariantCulture, $"    <text x=\"{gx + (BarsWidth / 2.0):0.#}\" y=\"{baseY + 18}\" text-anchor=\"middle\">{Escape(Categories[c])}</text>\n");
        }

        int lx = Left;
        int ly = baseY + 40;
        foreach (var series in Series)
        {
            svg.Append(CultureInfo.InvariantCulture, $"    <rect x=\"{lx}\" y=\"{ly - 10}\" width=\"12\" height=\"12\" fill=\"{Escape(series.Color)}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"    <text x=\"{lx + 16}\" y=\"{ly}\">{Escape(series.Name)}</text>\n");
            lx += 28 + (7 * series.Name.Length);
        }
        svg.Append("  </g>\n");
    }

    private static string Number(double value) => SvgText.Number(value);

    private static string Escape(string text) => SvgText.Escape(text);
}
