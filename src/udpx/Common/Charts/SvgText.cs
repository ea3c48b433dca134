using System.Globalization;
using System.Text;

namespace Udpx.Common.Charts;

/// <summary>What every hand-written SVG chart needs: escaped text, short numbers, round axis steps.</summary>
internal static class SvgText
{
    /// <summary>Text safe inside an element or a double-quoted attribute (SVG and HTML alike).</summary>
    public static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);

    /// <summary>A value with as many decimals as its size deserves: 1234, 12.3, 1.23.</summary>
    public static string Number(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "0" : Math.Abs(value) >= 10 ? "0.#" : "0.##", CultureInfo.InvariantCulture);

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        if (rough <= 0 || double.IsNaN(rough) || double.IsInfinity(rough))
        {
            return 1;
        }
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }

    /// <summary>
    /// The value axis of a plot whose bottom is <paramref name="baseY"/>: the unit written upwards at
    /// <paramref name="unitX"/>, and a grid line with its value at every <paramref name="step"/> up to <paramref name="topValue"/>.
    /// </summary>
    public static void AppendValueAxis(StringBuilder svg, string unit, int unitX, int left, int plotWidth, int baseY, int plotHeight, double topValue, double step)
    {
        int middle = baseY - (plotHeight / 2);
        svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{unitX}\" y=\"{middle}\" transform=\"rotate(-90 {unitX} {middle})\" text-anchor=\"middle\">{Escape(unit)}</text>\n");
        for (double tick = 0; tick <= topValue + (step / 2); tick += step)
        {
            double y = baseY - (tick / topValue * plotHeight);
            svg.Append(CultureInfo.InvariantCulture, $"  <line x1=\"{left}\" y1=\"{y:0.#}\" x2=\"{left + plotWidth}\" y2=\"{y:0.#}\" stroke=\"#dddddd\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"  <text x=\"{left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Number(tick)}</text>\n");
        }
    }
}
