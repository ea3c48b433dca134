using System.Globalization;
using System.Xml.Linq;
using Udpx.Common.Charts;

namespace Udpx.Tests.Common;

public sealed class SvgLineChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void A_line_per_series_scaled_into_the_plot_with_a_legend_and_a_fixed_size()
    {
        var chart = new SvgLineChart("rate <over> time", "s", "MB/s",
        [
            new LineSeries("thread", "#4e79a7", [(0, 0), (1, 2), (2, 4)]),
            new LineSeries("process & co", "#f28e2b", [(0, 1), (4, 1), (5, double.NaN)]),
        ]);

        var svg = XDocument.Parse(chart.Render()).Root!;

        Assert.Equal(SvgLineChart.Width.ToString(CultureInfo.InvariantCulture), svg.Attribute("width")?.Value);
        Assert.Equal(SvgLineChart.Height.ToString(CultureInfo.InvariantCulture), svg.Attribute("height")?.Value);
        var lines = svg.Elements(Svg + "polyline").ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(["thread", "process & co"], lines.Select(l => l.Element(Svg + "title")!.Value));
        var first = Points(lines[0]);
        var second = Points(lines[1]);
        Assert.Equal(3, first.Count);
        Assert.Equal(2, second.Count); // the NaN point is left out
        // y grows upwards: the highest value is nearest the top, the x axis is shared.
        Assert.True(first[2].Y < first[1].Y && first[1].Y < first[0].Y);
        Assert.Equal(first[0].X, second[0].X);
        Assert.True(second[1].X > first[2].X);
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "rate <over> time");
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "process & co");
    }

    [Fact]
    public void No_points_still_make_a_valid_chart()
    {
        var svg = XDocument.Parse(new SvgLineChart("empty", "s", "ms", []).Render()).Root!;
        Assert.Empty(svg.Elements(Svg + "polyline"));
    }

    private static List<(double X, double Y)> Points(XElement line) =>
        [.. line.Attribute("points")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))];
}
