using System.Globalization;
using System.Text;
using Udpx.Common;
using Udpx.Demo.Recording;
using Udpx.Modes;
using static Udpx.Common.Charts.SvgText;

namespace Udpx.Demo.Report;

/// <summary>
/// The lab report as one self-contained HTML page: styles inline, charts as inline SVG, no script, no font
/// and no address to fetch, so that it opens the same anywhere, offline, and prints as the hand-in.
/// </summary>
internal static class LabReportPage
{
    public static string Render(LabReport report)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<title>udpx lab report</title>\n<style>\n").Append(ReportStyle.Css).Append("</style>\n</head>\n<body>\n");
        html.Append("<header><h1>Reliable file transfer over UDP: the udpx lab</h1>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">Made by <code>{Escape(report.CommandLine)}</code> on {Escape(report.Host.HostName)}, {report.Made.UtcDateTime:yyyy-MM-dd HH:mm} UTC.</p></header>\n");
        Case(html, report);
        Topology(html, report.Project);
        Setup(html, report);
        Results(html, report);
        Timelines(html, report);
        Streams(html, report);
        Versions(html, report);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Case(StringBuilder html, LabReport report)
    {
        html.Append("<section id=\"case\"><h2>1. The case</h2>\n");
        foreach (string paragraph in ReportText.Case)
        {
            html.Append("<p>").Append(Escape(paragraph)).Append("</p>\n");
        }
        html.Append("<table><thead><tr><th>mode</th><th>how the transfers are dispatched</th></tr></thead><tbody>\n");
        foreach (var (mode, text) in ReportText.Modes)
        {
            html.Append("<tr><td><code>").Append(Escape(mode)).Append("</code></td><td>").Append(Escape(text)).Append("</td></tr>\n");
        }
        html.Append("</tbody></table>\n");
        html.Append("<p>").Append(Escape(report.LossPercent > 0 ? ReportText.LossNote(report.LossPercent) : ReportText.NoLossNote)).Append("</p>\n</section>\n");
    }

    private static void Topology(StringBuilder html, LabProject project)
    {
        html.Append("<section id=\"topology\"><h2>2. The network in GNS3</h2>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p>GNS3 project <code>{Escape(project.Name)}</code> (gns3/udpx-lab.gns3, GNS3 {Escape(project.Gns3Version)}): {project.Nodes.Count} nodes, {project.Links.Count} links. The picture is drawn from the project file by gns3/render-topology.py.</p>\n");
        html.Append("<figure class=\"topology\">").Append(project.TopologySvg).Append("<figcaption>The lab topology: the client downloads through the NAT node, then sends over the switch.</figcaption></figure>\n");
        html.Append("<div class=\"pair\"><table><thead><tr><th>node</th><th>type</th><th>image</th></tr></thead><tbody>\n");
        foreach (var node in project.Nodes)
        {
            html.Append("<tr><td>").Append(Escape(node.Name)).Append("</td><td>").Append(Escape(node.Type)).Append("</td><td>").Append(Escape(node.Image)).Append("</td></tr>\n");
        }
        html.Append("</tbody></table>\n<table><thead><tr><th>link</th><th></th></tr></thead><tbody>\n");
        foreach (var link in project.Links)
        {
            html.Append("<tr><td>").Append(Escape(link.From)).Append("</td><td>").Append(Escape(link.To)).Append("</td></tr>\n");
        }
        html.Append("</tbody></table></div>\n</section>\n");
    }

    private static void Setup(StringBuilder html, LabReport report)
    {
        html.Append("<section id=\"setup\"><h2>3. This run</h2>\n<p>");
        html.Append(Escape("Servers: " + string.Join(", ", report.Servers.Select((s, i) => "server" + (i + 1) + " on " + s)) + ". "));
        html.Append(Escape("Datagram size " + report.DatagramSize.ToString(CultureInfo.InvariantCulture) + " bytes; "
            + (report.RateBytesPerSecond > 0 ? "each transfer paced at " + SizeText.Format(report.RateBytesPerSecond) + "/s (demo --rate), so that the runs can be watched" : "no pace: each transfer as fast as its congestion control allows")
            + (report.LossPercent > 0 ? "; relays drop " + report.LossPercent.ToString("0.##", CultureInfo.InvariantCulture) + "% of the datagrams each way" : string.Empty) + "."));
        html.Append("</p>\n");
        if (report.Downloads.Count > 0)
        {
            html.Append("<h3>Download step</h3>\n<table><thead><tr><th>URL</th><th class=\"n\">size</th><th class=\"n\">time</th></tr></thead><tbody>\n");
            foreach (var d in report.Downloads)
            {
                html.Append("<tr><td><code>").Append(Escape(d.Url.ToString())).Append("</code></td><td class=\"n\">").Append(Escape(Format.Bytes(d.File.Size)))
                    .Append("</td><td class=\"n\">").Append(Escape(Format.Seconds(d.Seconds))).Append("</td></tr>\n");
            }
            html.Append("</tbody></table>\n");
        }
        html.Append("</section>\n");
    }

    private static void Results(StringBuilder html, LabReport report)
    {
        html.Append("<section id=\"results\"><h2>4. The four modes compared</h2>\n");
        html.Append("<table><thead><tr><th>mode</th><th class=\"n\">workers</th><th class=\"n\">time</th><th class=\"n\">throughput</th><th class=\"n\">datagrams</th><th class=\"n\">retransmitted</th>");
        html.Append(report.LossPercent > 0 ? "<th class=\"n\">dropped by relays</th>" : string.Empty).Append("<th>files</th></tr></thead><tbody>\n");
        foreach (var r in report.Runs)
        {
            var run = r.Run;
            html.Append("<tr><td><code>").Append(Escape(run.Mode.Name())).Append("</code></td>");
            Cell(html, run.Workers > 0 ? run.Workers.ToString(CultureInfo.InvariantCulture) : "one each");
            Cell(html, Format.Seconds(run.Seconds));
            Cell(html, Rate(run.Bytes / Math.Max(run.Seconds, 1e-9)));
            Cell(html, Format.Number(run.Datagrams));
            Cell(html, Format.Number(run.Retransmitted));
            if (report.LossPercent > 0)
            {
                Cell(html, Format.Number(r.RelayDropped));
            }
            int identical = run.Checks.Count(c => c.Verified && c.Identical);
            html.Append("<td class=\"").Append(identical == run.Checks.Count ? "ok" : "bad").Append("\">")
                .Append(Escape(identical.ToString(CultureInfo.InvariantCulture) + "/" + run.Checks.Count.ToString(CultureInfo.InvariantCulture) + " identical")).Append("</td></tr>\n");
        }
        html.Append("</tbody></table>\n");
        html.Append("<h3>Each transfer</h3>\n<table><thead><tr><th>mode</th><th>file</th><th>server</th><th class=\"n\">size</th><th class=\"n\">time</th><th class=\"n\">rate</th><th class=\"n\">datagrams</th><th class=\"n\">retransmitted</th><th class=\"n\">RTT</th><th class=\"n\">pid</th><th>check</th></tr></thead><tbody>\n");
        foreach (var r in report.Runs)
        {
            for (int i = 0; i < r.Run.Results.Count; i++)
            {
                var t = r.Run.Results[i];
                var check = i < r.Run.Checks.Count ? r.Run.Checks[i] : null;
                html.Append("<tr><td><code>").Append(Escape(r.Run.Mode.Name())).Append("</code></td><td>").Append(Escape(SafeText.Escape(t.Name))).Append("</td>");
                html.Append("<td>").Append(Escape(i < r.Timelines.Count ? "server" + r.Timelines[i].Server.ToString(CultureInfo.InvariantCulture) : t.Server)).Append("</td>");
                Cell(html, Format.Bytes(t.Bytes));
                Cell(html, Format.Seconds(t.Seconds));
                Cell(html, Rate(t.ThroughputBytesPerSecond));
                Cell(html, Format.Number(t.DatagramsSent));
                Cell(html, Format.Number(t.Retransmitted));
                Cell(html, (t.RttMicros / 1000.0).ToString("0.00", CultureInfo.InvariantCulture) + " ms");
                Cell(html, t.ProcessId.ToString(CultureInfo.InvariantCulture));
                bool good = check is { Verified: true, Identical: true };
                html.Append("<td class=\"").Append(good ? "ok" : "bad").Append("\">").Append(Escape(good ? "digest ok, identical" : check?.Error ?? "no result")).Append("</td></tr>\n");
            }
        }
        html.Append("</tbody></table>\n");
        html.Append("<figure class=\"chart\">").Append(ReportCharts.Modes(report.Runs, report.Servers.Count)).Append("<figcaption>Throughput (bytes of the file over its transfer time) and the time of each run.</figcaption></figure>\n</section>\n");
    }

    private static void Timelines(StringBuilder html, LabReport report)
    {
        html.Append("<section id=\"timelines\"><h2>5. The transfers over time</h2>\n<p>")
            .Append(Escape(ReportText.Timelines(RunRecorder.Interval))).Append("</p>\n");
        for (int s = 1; s <= report.Servers.Count; s++)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>server{s}</h3>\n<div class=\"pair\">");
            html.Append("<figure class=\"chart\">").Append(ReportCharts.Throughput(report.Runs, s)).Append("</figure>");
            html.Append("<figure class=\"chart\">").Append(ReportCharts.Rtt(report.Runs, s)).Append("</figure></div>\n");
        }
        html.Append("</section>\n");
    }

    private static void Streams(StringBuilder html, LabReport report)
    {
        html.Append("<section id=\"streams\"><h2>6. What the servers received</h2>\n<p>").Append(Escape(ReportText.Streams)).Append("</p>\n");
        foreach (var r in report.Runs)
        {
            html.Append("<h3><code>").Append(Escape(r.Run.Mode.Name())).Append("</code></h3>\n<div class=\"pair\">");
            foreach (var stream in r.Streams)
            {
                Stream(html, stream);
            }
            html.Append("</div>\n");
        }
        html.Append("</section>\n");
    }

    /// <summary>One server's excerpt; the file column only when the server received more than one file.</summary>
    private static void Stream(StringBuilder html, ServerStream stream)
    {
        var files = stream.Lines.Select(l => l.File).Distinct().ToList();
        bool fileColumn = files.Count > 1;
        string caption = "server" + stream.Server.ToString(CultureInfo.InvariantCulture) + " (" + stream.EndPoint + ")"
            + (fileColumn || files.Count == 0 ? string.Empty : ", " + files[0])
            + ": " + Format.Number(stream.Total) + " datagrams, the first " + stream.Lines.Count.ToString(CultureInfo.InvariantCulture);
        html.Append("<div class=\"stream\"><p class=\"caption\">").Append(Escape(caption)).Append("</p>\n<table class=\"mono\"><thead><tr><th class=\"n\">ms</th><th>from</th>")
            .Append(fileColumn ? "<th>file</th>" : string.Empty)
            .Append("<th class=\"n\">chunk</th><th class=\"n\">bytes so far</th><th class=\"n\">len</th><th>first bytes</th></tr></thead><tbody>\n");
        foreach (var line in stream.Lines)
        {
            html.Append("<tr>");
            Cell(html, line.Millis.ToString("0.0", CultureInfo.InvariantCulture));
            html.Append("<td>").Append(Escape(line.From)).Append("</td>");
            if (fileColumn)
            {
                html.Append("<td>").Append(Escape(line.File)).Append("</td>");
            }
            Cell(html, line.Chunk.ToString(CultureInfo.InvariantCulture));
            Cell(html, Format.Number(line.BytesSoFar));
            Cell(html, line.Length.ToString(CultureInfo.InvariantCulture));
            html.Append("<td>").Append(Escape(line.FirstBytes)).Append("</td></tr>\n");
        }
        html.Append("</tbody></table></div>");
    }

    /// <summary>Decimal kB/s below 1 MB/s (a paced run would read "0.1 MB/s"), MB/s above.</summary>
    private static string Rate(double bytesPerSecond) => bytesPerSecond < 1e6
        ? (bytesPerSecond / 1e3).ToString("0", CultureInfo.InvariantCulture) + " kB/s"
        : Format.Rate(bytesPerSecond);

    private static void Versions(StringBuilder html, LabReport report)
    {
        var m = report.Host.Machine;
        html.Append("<section id=\"versions\"><h2>7. Versions and machine</h2>\n<table><tbody>\n");
        Row(html, "udpx", m.NativeAot ? MachineDescription.UdpxVersion() + " (native AOT binary)" : MachineDescription.UdpxVersion() + " (JIT, dotnet run)");
        Row(html, ".NET", m.Runtime);
        Row(html, "operating system", m.Os);
        Row(html, "kernel", report.Host.Kernel);
        Row(html, "processor", report.Host.Processor + ", " + m.Cores.ToString(CultureInfo.InvariantCulture) + " cores available");
        Row(html, "memory", report.Host.Memory);
        Row(html, "host", report.Host.HostName);
        Row(html, "GNS3 project", report.Project.Name + ", GNS3 " + report.Project.Gns3Version);
        html.Append("</tbody></table>\n</section>\n");
    }

    private static void Cell(StringBuilder html, string text) => html.Append("<td class=\"n\">").Append(Escape(text)).Append("</td>");

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><th>").Append(Escape(name)).Append("</th><td>").Append(Escape(value)).Append("</td></tr>\n");
}
