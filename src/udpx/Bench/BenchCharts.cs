using Udpx.Common;
using Udpx.Common.Charts;

namespace Udpx.Bench;

/// <summary>The charts of the report: throughput per mode, and time per file when points send many files.</summary>
internal static class BenchCharts
{
    public static IReadOnlyList<SvgBarChart> For(BenchResults results)
    {
        var charts = new List<SvgBarChart>();
        var groups = results.Points.GroupBy(p => (p.FileSize, p.Count, p.DatagramSize)).ToList();
        if (groups.Count == 0)
        {
            return charts;
        }
        charts.Add(Chart("udpx throughput by mode (loopback, median)", "MB/s (decimal)", groups, p => p.BytesPerSecond / 1e6));
        var many = groups.Where(g => g.Key.Count > 1).ToList();
        if (many.Count > 0)
        {
            charts.Add(Chart("time per file by mode (many small files)", "ms per file", many, p => p.SecondsPerFile * 1000));
        }
        return charts;
    }

    private static SvgBarChart Chart(string title, string unit, IReadOnlyList<IGrouping<(long FileSize, int Count, int DatagramSize), BenchPointResult>> groups, Func<BenchPointResult, double> value)
    {
        var labels = groups.SelectMany(g => g).Select(p => p.Label).Distinct().ToList();
        bool severalDatagramSizes = groups.Select(g => g.Key.DatagramSize).Distinct().Count() > 1;
        var categories = groups.Select(g => SizeText.Format(g.Key.FileSize) + " x " + g.Key.Count + (severalDatagramSizes ? ", " + g.Key.DatagramSize + " B" : string.Empty)).ToList();
        var series = labels.Select((label, i) => new ChartSeries(
            label,
            SvgBarChart.Palette[i % SvgBarChart.Palette.Length],
            [.. groups.Select(g => g.FirstOrDefault(p => p.Label == label) is { Ok: true } p ? value(p) : double.NaN)])).ToList();
        return new SvgBarChart(title, unit, categories, series);
    }
}
