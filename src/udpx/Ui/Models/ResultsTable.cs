using System.Globalization;
using Udpx.Common;
using Udpx.Modes;
using Udpx.Ui.Text;

namespace Udpx.Ui.Models;

/// <summary>The demo's runs side by side: time, rate, datagrams, retransmissions, whether all arrived intact, and speed against the best run.</summary>
internal static class ResultsTable
{
    private static readonly PaneTable Full = new(
        new PaneColumn("#", 2, AlignRight: true),
        new PaneColumn("mode", 13),
        new PaneColumn("time", 7, AlignRight: true),
        new PaneColumn("rate", 10, AlignRight: true),
        new PaneColumn("dgrams", 8, AlignRight: true),
        new PaneColumn("retx", 6, AlignRight: true),
        new PaneColumn("ok", 3),
        new PaneColumn("vs best", 7, AlignRight: true));

    // Fits the demo's right-hand pane (40 columns inside at 80x24) without cutting a mode name.
    private static readonly PaneTable Compact = new(
        new PaneColumn("mode", 13, Grow: 1),
        new PaneColumn("time", 6, AlignRight: true),
        new PaneColumn("rate", 10, AlignRight: true),
        new PaneColumn("retx", 4, AlignRight: true),
        new PaneColumn("ok", 2));

    public static IReadOnlyList<string> Lines(IReadOnlyList<DemoResult> results, int width)
    {
        bool full = width >= Full.MinWidth;
        var table = full ? Full : Compact;
        var lines = new List<string>(results.Count + 1) { table.Header(width) };
        if (results.Count == 0)
        {
            lines.Add("no run finished yet");
            return lines;
        }
        double best = 0;
        foreach (var r in results)
        {
            best = Math.Max(best, r.Summary?.BytesPerSecond ?? 0);
        }
        foreach (var r in results)
        {
            string mode = r.Mode.Name();
            if (r.Summary is not { } s)
            {
                lines.Add(PaneTable.Cut(
                    (full ? PaneTable.Fit(r.Run.ToString(CultureInfo.InvariantCulture), 2, alignRight: true) + " " : string.Empty) + mode + ": " + SafeText.Escape(r.Error), width));
                continue;
            }
            string ok = s.AllVerified ? (full ? "yes" : "ok") : "NO";
            lines.Add(full
                ? table.Row(width, r.Run.ToString(CultureInfo.InvariantCulture), mode, DurationText.Seconds(s.Seconds), Format.CompactRate(s.BytesPerSecond),
                    s.Datagrams.ToString(CultureInfo.InvariantCulture), s.Retransmitted.ToString(CultureInfo.InvariantCulture), ok, Relative(s.BytesPerSecond, best))
                : table.Row(width, mode, DurationText.Seconds(s.Seconds), Format.CompactRate(s.BytesPerSecond), s.Retransmitted.ToString(CultureInfo.InvariantCulture), ok));
        }
        return lines;
    }

    /// <summary>"1.00x" for the best, "0.42x" for one at 42 % of its rate.</summary>
    public static string Relative(double rate, double best) =>
        best > 0 ? (rate / best).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";
}
