using System.Globalization;
using Udpx.Common;

namespace Udpx.Bench;

/// <summary>A titled table of results.</summary>
internal sealed record TitledTable(string Title, TextTable Table);

/// <summary>The bench's tables: a table of modes per file size, file count and datagram size, and one of peers per file size.</summary>
internal static class BenchTables
{
    public static IEnumerable<TitledTable> Modes(BenchResults results, int servers, int repeats)
    {
        foreach (var group in results.Points.GroupBy(p => (p.FileSize, p.Count, p.DatagramSize)))
        {
            var (size, count, datagramSize) = group.Key;
            bool many = count > 1;
            var columns = new List<string> { "mode", ">time", ">throughput", ">datagrams/s", ">retransmitted", ">CPU", ">CPU/GB", ">peak RSS", ">workers' peak RSS" };
            var thread = group.FirstOrDefault(p => p.Mode == "thread");
            if (many)
            {
                columns.Add(">per file");
                if (thread is not null)
                {
                    columns.Add(">per file vs thread");
                }
            }
            columns.Add("check");
            var table = new TextTable([.. columns]);
            foreach (var p in group)
            {
                var cells = new List<string>
                {
                    p.Label,
                    Format.Seconds(p.MedianSeconds),
                    Format.Rate(p.BytesPerSecond),
                    Format.Number((long)Math.Round(p.DatagramsPerSecond)),
                    Format.Number((long)Math.Round(p.Retransmitted)),
                    Cpu(p.CpuSeconds),
                    CpuPerGB(p.CpuSecondsPerGB),
                    Memory(p.ParentPeakBytes),
                    Memory(p.WorkersPeakBytes),
                };
                if (many)
                {
                    cells.Add(Milliseconds(p.SecondsPerFile));
                    if (thread is not null)
                    {
                        double delta = (p.SecondsPerFile - thread.SecondsPerFile) * 1000;
                        cells.Add(p == thread ? "-" : (delta >= 0 ? "+" : "-") + Math.Abs(delta).ToString("F2", CultureInfo.InvariantCulture) + " ms");
                    }
                }
                cells.Add(p.Ok ? "ok" : "FAILED: " + p.Samples.First(s => !s.Verified).Error);
                table.Add([.. cells]);
            }
            string files = count == 1 ? "1 file" : count.ToString(CultureInfo.InvariantCulture) + " files";
            yield return new TitledTable(
                $"{SizeText.Format(size)} x {files}, datagrams of {datagramSize} B, {servers} server(s), median of {repeats} run(s)",
                table);
        }
    }

    public static IEnumerable<TitledTable> Peers(BenchResults results, int repeats)
    {
        foreach (var group in results.Peers.GroupBy(p => p.FileSize))
        {
            var table = new TextTable("tool", ">time", ">throughput", ">CPU", ">CPU/GB", ">peak RSS", ">udpx/peer", "check");
            // One row per udpx point a ratio below is taken against: the best overall, and the best at
            // Ethernet-sized datagrams when a peer keeps to those.
            var references = group.Where(p => p.UdpxDatagramSize is not null)
                .Select(p => results.BestFor(group.Key, p.UdpxDatagramSize!.Value))
                .Prepend(results.BestFor(group.Key))
                .OfType<BenchPointResult>()
                .Distinct()
                .OrderByDescending(b => b.DatagramSize);
            foreach (var best in references)
            {
                table.Add("udpx " + best.Label + ", " + best.DatagramSize + " B", Format.Seconds(best.MedianSeconds), Format.Rate(best.BytesPerSecond),
                    Cpu(best.CpuSeconds), CpuPerGB(best.CpuSecondsPerGB), Memory(Math.Max(best.ParentPeakBytes, best.WorkersPeakBytes)), "-", "ok");
            }
            foreach (var p in group)
            {
                if (p.Status != PeerResult.Ok)
                {
                    table.Add(p.Tool, "-", "-", "-", "-", "-", "-", p.Status + (p.Detail is null ? string.Empty : ": " + p.Detail));
                    continue;
                }
                string check = p.Samples.All(s => s.Note is null) ? "digest ok" : p.Samples[^1].Note!;
                if (p.Detail is not null)
                {
                    check += "; " + p.Detail;
                }
                table.Add(p.Tool, Format.Seconds(p.MedianSeconds!.Value), Format.Rate(p.BytesPerSecond!.Value), Cpu(p.CpuSeconds!.Value),
                    CpuPerGB(p.CpuSecondsPerGB!.Value), Memory(p.PeakBytes), p.UdpxRatio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) + "x" + (p.UdpxDatagramSize is { } d ? " @" + d.ToString(CultureInfo.InvariantCulture) : string.Empty) : "-", check);
            }
            yield return new TitledTable($"Peers on one {SizeText.Format(group.Key)} file, median of {repeats} run(s); udpx/peer is the best udpx mode's throughput over the tool's, @ udpx's datagram size: the largest, or 1472 B against a tool that keeps to Ethernet-sized datagrams", table);
        }
    }

    /// <summary>Each peer tool's settings, one line each, to print under its table.</summary>
    public static IEnumerable<(string Tool, string Settings)> PeerSettings(BenchResults results) =>
        results.Peers.GroupBy(p => p.Tool).Select(g => (g.Key, g.First().Settings));

    private static string Cpu(double seconds) => seconds.ToString("F2", CultureInfo.InvariantCulture) + " s";

    private static string CpuPerGB(double seconds) => seconds.ToString(seconds >= 100 ? "F0" : "F2", CultureInfo.InvariantCulture) + " s/GB";

    private static string Milliseconds(double seconds) => (seconds * 1000).ToString(seconds >= 0.1 ? "F0" : "F2", CultureInfo.InvariantCulture) + " ms";

    private static string Memory(long bytes) => bytes < 0 ? "-" : Format.Bytes(bytes);
}
