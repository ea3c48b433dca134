using Udpx.Common.Charts;
using Udpx.Demo.Recording;
using Udpx.Modes;

namespace Udpx.Demo.Report;

/// <summary>The report's charts: the modes compared (bars), and each server's transfers over time (lines, a line per mode).</summary>
internal static class ReportCharts
{
    public static string Modes(IReadOnlyList<RecordedRun> runs, int servers)
    {
        var categories = runs.Select(r => r.Run.Mode.Name()).ToList();
        var series = new List<ChartSeries>();
        for (int s = 1; s <= servers; s++)
        {
            int server = s;
            series.Add(new ChartSeries(
                "to server" + server,
                SvgBarChart.Palette[(server - 1 + 4) % SvgBarChart.Palette.Length],
                [.. runs.Select(r => Throughput(r, server))]));
        }
        series.Add(new ChartSeries("whole run", "#555555", [.. runs.Select(r => r.Run.Bytes / Math.Max(r.Run.Seconds, 1e-9) / 1e6)]));
        var time = new ChartSeries("run time", "#4e79a7", [.. runs.Select(r => r.Run.Seconds)]);
        return SvgBarChart.Render(
        [
            new SvgBarChart("throughput by mode", "MB/s (decimal)", categories, series),
            new SvgBarChart("time of each run, both files", "seconds", categories, [time]),
        ]);
    }

    /// <summary>Throughput over time of the transfers to <paramref name="server"/>, a line per run.</summary>
    public static string Throughput(IReadOnlyList<RecordedRun> runs, int server) => new SvgLineChart(
        "server" + server + ": throughput over time",
        "seconds since the run started",
        "MB/s",
        Lines(runs, server, p => p.BytesPerSecond / 1e6, includeZero: true)).Render();

    /// <summary>Smoothed RTT over time of the transfers to <paramref name="server"/>, a line per run.</summary>
    public static string Rtt(IReadOnlyList<RecordedRun> runs, int server) => new SvgLineChart(
        "server" + server + ": smoothed RTT over time",
        "seconds since the run started",
        "ms",
        Lines(runs, server, p => p.RttMillis, includeZero: false)).Render();

    private static List<LineSeries> Lines(IReadOnlyList<RecordedRun> runs, int server, Func<TimelinePoint, double> value, bool includeZero)
    {
        var lines = new List<LineSeries>();
        foreach (var run in runs)
        {
            var timelines = run.Timelines.Where(t => t.Server == server).ToList();
            foreach (var timeline in timelines)
            {
                string name = run.Run.Mode.Name() + (timelines.Count > 1 ? " " + timeline.Name : string.Empty);
                var points = timeline.Points.Where(p => includeZero || p.RttMillis > 0).Select(p => (p.Seconds, value(p))).ToList();
                lines.Add(new LineSeries(name, SvgBarChart.Palette[(int)run.Run.Mode % SvgBarChart.Palette.Length], points));
            }
        }
        return lines;
    }

    private static double Throughput(RecordedRun run, int server)
    {
        var results = run.Timelines.Select((t, i) => (t.Server, Result: run.Run.Results[i])).Where(x => x.Server == server).Select(x => x.Result).ToList();
        double seconds = results.Count == 0 ? 0 : results.Max(r => r.Seconds);
        return results.Count == 0 || seconds <= 0 ? double.NaN : results.Sum(r => r.Bytes) / seconds / 1e6;
    }
}
