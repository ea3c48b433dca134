using System.Globalization;
using System.Text;

namespace Udpx.Common.Charts;

/// <summary>
/// A line chart written as plain SVG text (no library): a line per series over a shared x axis, round ticks on
/// both axes, a legend below. Sized by its attributes, so it keeps its size wherever it is placed.
/// </summary>
internal sealed record SvgLineChart(string Title, string XUnit, string YUnit, IReadOnlyList<LineSeries> Series)
{
    public const int Width = 560;
    public const int Height = Top + PlotHeight + Bottom;

    private const int Left = 64;
    private const int Right = 20;
    private const int Top = 40;
    private const int PlotHeight = 180;
    private const int Bottom = 62;
    private const int PlotWidth = Width - Left - Right;

    public string Render()
    {
        var finite = Series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        double xMax = finite.Count == 0 ? 0 : finite.Max(p => p.X);
        double yMax = finite.Count == 0 ? 0 : finite.Max(p => p.Y);
        double xStep = SvgText.NiceStep(xMax / 6);
        double yStep = SvgText.NiceStep(yMax / 4);
        double xTop = Math.Max(xStep, Math.Ceiling(xMax / xStep) * xStep);
        double yTop = Math.Max(yStep, Math.Ceiling(yMax / yStep) * yStep);
        int baseY = Top + PlotHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <title>{SvgText.Escape(Title)}</title>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"#ffffff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{Left}\" y=\"20\" font-size=\"13\" font-weight=\"bold\">{SvgText.Escape(Title)}</text>\n");
        SvgText.AppendValueAxis(svg, YUnit, 12, Left, PlotWidth, baseY, PlotHeight, yTop, yStep);
        for (double tick = 0; tick <= xTop + (xStep / 2); tick += xStep)
        {
            double x = Left + (tick / xTop * PlotWidth);
            svg.Append(CultureInfo.InvariantCulture, $"  <line x1=\"{x:0.#}\" y1=\"{baseY}\" x2=\"{x:0.#}\" y2=\"{baseY + 4}\" stroke=\"#333333\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{x:0.#}\" y=\"{baseY + 16}\" text-anchor=\"middle\">{SvgText.Number(tick)}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"  <line x1=\"{Left}\" y1=\"{baseY}\" x2=\"{Left + PlotWidth}\" y2=\"{baseY}\" stroke=\"#333333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{baseY}\" stroke=\"#333333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{Left + (PlotWidth / 2)}\" y=\"{baseY + 32}\" text-anchor=\"middle\">{SvgText.Escape(XUnit)}</text>\n");

        foreach (var series in Series)
        {
            var points = new StringBuilder();
            foreach (var (px, py) in series.Points)
            {
                if (!double.IsFinite(px) || !double.IsFinite(py))
                {
                    continue;
                }
                points.Append(CultureInfo.InvariantCulture, $"{Left + (px / xTop * PlotWidth):0.#},{baseY - (py / yTop * PlotHeight):0.#} ");
            }
            svg.Append(CultureInfo.InvariantCulture, $"  <polyline fill=\"none\" stroke=\"{SvgText.Escape(series.Color)}\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"{points.ToString().TrimEnd()}\"><title>{SvgText.Escape(series.Name)}</title></polyline>\n");
        }

        int lx = Left;
        int ly = Height - 10;
        foreach (var series in Series)
        {
            svg.Append(CultureInfo.InvariantCulture, $"  <rect x=\"{lx}\" y=\"{ly - 9}\" width=\"14\" height=\"4\" fill=\"{SvgText.Escape(series.Color)}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{lx + 18}\" y=\"{ly - 3}\">{SvgText.Escape(series.Name)}</text>\n");
            lx += 30 + (6 * series.Name.Length);
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }
}
