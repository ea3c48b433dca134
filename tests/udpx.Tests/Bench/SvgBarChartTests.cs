using System.Xml.Linq;
using Udpx.Common.Charts;

namespace Udpx.Tests.Bench;

public sealed class SvgBarChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static SvgBarChart Throughput() => new(
        "throughput <by mode> & more",
        "MB/s",
        ["64 MB x 1", "32 kB x 200"],
        [
            new ChartSeries("process", "#4e79a7", [120.5, 0.2]),
            new ChartSeries("thread", "#f28e2b", [480, double.NaN]),
            new ChartSeries("thread-async \u00d72", "#59a14f", [455, 3.1]),
        ]);

    [Fact]
    public void The_document_is_well_formed_svg_with_a_bar_per_value()
    {
        var document = XDocument.Parse(SvgBarChart.Render([Throughput()]));

        Assert.Equal(Svg + "svg", document.Root!.Name);
        var bars = document.Descendants(Svg + "rect").Where(r => r.Element(Svg + "title") is not null).ToList();
        Assert.Equal(5, bars.Count); // six values, one of them NaN: no bar
        Assert.All(bars, b => Assert.True(double.Parse(b.Attribute("height")!.Value, System.Globalization.CultureInfo.InvariantCulture) >= 0));
    }

    [Fact]
    public void Text_is_escaped_and_the_tallest_bar_fills_no_more_than_the_plot()
    {
        string svg = SvgBarChart.Render([Throughput()]);
        var document = XDocument.Parse(svg);

        Assert.Contains(document.Descendants(Svg + "text"), t => t.Value == "throughput <by mode> & more");
        Assert.Contains("&lt;by mode&gt; &amp; more", svg, StringComparison.Ordinal);
        double tallest = document.Descendants(Svg + "rect").Where(r => r.Element(Svg + "title") is not null)
            .Max(r => double.Parse(r.Attribute("height")!.Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(tallest, 200, 220);
    }

    [Fact]
    public void Two_charts_stack_in_one_document()
    {
        var perFile = new SvgBarChart("time per file", "ms", ["32 kB x 200"], [new ChartSeries("process", "#4e79a7", [35.2])]);
        var document = XDocument.Parse(SvgBarChart.Render([Throughput(), perFile]));

        Assert.Equal(2, document.Root!.Elements(Svg + "g").Count());
        Assert.Equal((2 * SvgBarChart.PanelHeight).ToString(System.Globalization.CultureInfo.InvariantCulture), document.Root.Attribute("height")!.Value);
    }

    [Fact]
    public void No_results_still_make_a_valid_empty_chart() =>
        XDocument.Parse(SvgBarChart.Render([new SvgBarChart("empty", "MB/s", [], [])]));

    [Theory]
    [InlineData(0.7, 1)]
    [InlineData(1.3, 2)]
    [InlineData(37, 50)]
    [InlineData(180, 200)]
    [InlineData(0.031, 0.05)]
    public void Axis_steps_are_one_two_or_five_times_a_power_of_ten(double rough, double expected) =>
        Assert.Equal(expected, SvgText.NiceStep(rough), 9);
}
