using System.Globalization;
using System.Text;
using Udpx.Common.Charts;

namespace Udpx.Bench;

/// <summary>`--report DIR`: DIR/report.md (the tables and the command line) and DIR/modes.svg (the charts).</summary>
internal static class BenchReportWriter
{
    public const string MarkdownName = "report.md";
    public const string ChartName = "modes.svg";

    public static void Write(string folder, BenchReport report, BenchResults results, BenchOptions options)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ChartName), SvgBarChart.Render(BenchCharts.For(results)));
        File.WriteAllText(Path.Combine(folder, MarkdownName), Markdown(report, results, options));
    }

    public static string Markdown(BenchReport report, BenchResults results, BenchOptions options)
    {
        var md = new StringBuilder();
        md.Append("# udpx bench\n\n");
        md.Append(CultureInfo.InvariantCulture, $"udpx {report.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {report.Machine.Cores} cores, {report.Machine.Os}, {report.Machine.Runtime}{(report.Machine.NativeAot ? " (native AOT)" : " (JIT)")}.\n\n");
        md.Append("```sh\n").Append(report.CommandLine).Append("\n```\n\n");
        foreach (var t in BenchTables.Modes(results, options.Servers, options.Repeat))
        {
            md.Append("## ").Append(t.Title).Append("\n\n").Append(t.Table.RenderMarkdown()).Append("\n\n");
        }
        md.Append("![throughput by mode](").Append(ChartName).Append(")\n\n");
        foreach (var t in BenchTables.Peers(results, options.Repeat))
        {
            md.Append("## ").Append(t.Title).Append("\n\n").Append(t.Table.RenderMarkdown()).Append("\n\n");
        }
        if (results.Peers.Count > 0)
        {
            md.Append("Peer settings:\n\n");
            foreach (var (tool, settings) in BenchTables.PeerSettings(results))
            {
                md.Append("- ").Append(tool).Append(": `").Append(settings).Append("`\n");
            }
            md.Append('\n');
        }
        md.Append("Time: wall clock of the whole batch (process start included), median over the runs. ")
          .Append("Throughput: bytes of all files / median time, decimal MB/s. ")
          .Append("CPU: user + system time of udpx (client and its in-process servers) plus its worker processes, median; for peers, their processes only. ")
          .Append("Peak RSS: VmHWM of udpx, reset before each run; workers' (and peers') peak sampled every 10 ms, the largest over the runs.\n");
        return md.ToString();
    }
}
