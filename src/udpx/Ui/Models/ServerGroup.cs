using System.Globalization;
using Udpx.Common;
using Udpx.Modes;
using Udpx.Ui.Text;

namespace Udpx.Ui.Models;

/// <summary>
/// The transfers going to one server: a row each, and the stream of datagrams sent there, merged from
/// the transfers' rings. Transfers still moving come first.
/// </summary>
internal sealed class ServerGroup
{
    private static readonly PaneTable Full = new(
        new PaneColumn("file", 10, Grow: 2),
        new PaneColumn("progress", 8, Grow: 1),
        new PaneColumn("%", 3, AlignRight: true),
        new PaneColumn("rate", 10, AlignRight: true),
        new PaneColumn("sent", 7, AlignRight: true),
        new PaneColumn("acked", 8, AlignRight: true),
        new PaneColumn("retx", 5, AlignRight: true),
        new PaneColumn("rtt", 7, AlignRight: true),
        new PaneColumn("state", 7));

    // For the demo's client pane (40 columns inside at 80x24): the bar needs no header, retransmissions are in the table of runs.
    private static readonly PaneTable Compact = new(
        new PaneColumn("file", 8, Grow: 2),
        new PaneColumn(string.Empty, 6, Grow: 1),
        new PaneColumn("%", 3, AlignRight: true),
        new PaneColumn("rate", 10, AlignRight: true),
        new PaneColumn("state", 6));

    private readonly List<TransferHandle> _transfers = [];
    private readonly List<RateMeter> _meters = [];

    public ServerGroup(string server, int streamLinesPerPoll = 5)
    {
        Server = server;
        Stream = new StreamFeed("file", streamLinesPerPoll);
    }

    public string Server { get; }

    public IReadOnlyList<TransferHandle> Transfers => _transfers;

    public StreamFeed Stream { get; }

    public IReadOnlyList<TransferRow> Rows { get; private set; } = [];

    public double BytesPerSecond { get; private set; }

    public int Finished { get; private set; }

    /// <summary>Datagrams sent again, all transfers together: the recovery from loss, live.</summary>
    public long Retransmitted { get; private set; }

    public void Add(TransferHandle transfer)
    {
        _transfers.Add(transfer);
        _meters.Add(new RateMeter());
        string name = SafeText.Escape(transfer.Job.Name);
        Stream.Add(transfer.Stream, _ => name);
    }

    public void Update(long nowMicros)
    {
        var rows = new List<TransferRow>(_transfers.Count);
        var finishedRows = new List<TransferRow>();
        double rate = 0;
        int finished = 0;
        for (int i = 0; i < _transfers.Count; i++)
        {
            var t = _transfers[i];
            var result = t.Result;
            var c = t.Counters.Snapshot();
            long size = t.FileSize;
            double live = _meters[i].Update(nowMicros, c.BytesAcked);
            double shownRate = result is null ? live : result.ThroughputBytesPerSecond;
            if (result is null)
            {
                rate += live;
            }
            else
            {
                finished++;
            }
            long bytesAcked = result is { Verified: true } ? Math.Max(c.BytesAcked, result.Bytes) : c.BytesAcked;
            long datagrams = result is null ? c.DatagramsSent : Math.Max(c.DatagramsSent, result.DatagramsSent);
            long retransmitted = result is null ? c.Retransmitted : Math.Max(c.Retransmitted, result.Retransmitted);
            long rtt = c.RttMicros > 0 ? c.RttMicros : result?.RttMicros ?? 0;
            double percent = Percent.Of(bytesAcked, size, result is { Verified: true });
            var row = new TransferRow(SafeText.Escape(t.Job.Name), percent, shownRate, datagrams, bytesAcked, size, retransmitted, rtt, c.Phase, result);
            (result is null ? rows : finishedRows).Add(row);
        }
        // Moving transfers first; each kind keeps the order of the command line.
        rows.AddRange(finishedRows);
        Rows = rows;
        long retransmittedAll = 0;
        foreach (var r in rows)
        {
            retransmittedAll += r.Retransmitted;
        }
        Retransmitted = retransmittedAll;
        BytesPerSecond = rate;
        Finished = finished;
        Stream.Poll(nowMicros);
    }

    /// <summary>"127.0.0.1:9000: 2 of 3 done, 12.3 MiB/s", then ", 42 resent" once any datagram was sent again.</summary>
    public string Title() =>
        Server + ": " + Finished.ToString(CultureInfo.InvariantCulture) + " of " + _transfers.Count.ToString(CultureInfo.InvariantCulture)
        + " done, " + Format.CompactRate(BytesPerSecond)
        + (Retransmitted > 0 ? ", " + Retransmitted.ToString(CultureInfo.InvariantCulture) + " resent" : string.Empty);

    /// <summary>
    /// A header line, a line per transfer (under a heading per folder when files came from folders, in the
    /// order the folders first appear), and a line per failure saying why.
    /// </summary>
    public IReadOnlyList<string> Lines(int width)
    {
        bool full = width >= Full.MinWidth;
        var table = full ? Full : Compact;
        int barWidth = table.WidthsFor(width)[1];
        var lines = new List<string>(Rows.Count + 2) { table.Header(width) };
        // Files sent from folders ("sub/dir/file"): a heading per folder, the files below it by their own name.
        bool byFolder = Rows.Any(r => r.Name.Contains('/', StringComparison.Ordinal));
        foreach (var folder in byFolder ? Rows.GroupBy(r => FolderOf(r.Name)) : Rows.GroupBy(_ => string.Empty))
        {
            if (byFolder)
            {
                int done = folder.Count(r => r.Result is { Verified: true });
                lines.Add(PaneTable.Cut((folder.Key.Length == 0 ? "./" : folder.Key) + "  " + done.ToString(CultureInfo.InvariantCulture) + " of " + folder.Count().ToString(CultureInfo.InvariantCulture) + " ok", width));
            }
            foreach (var r in folder)
            {
                string name = byFolder ? "  " + r.Name[folder.Key.Length..] : r.Name;
                string bar = ProgressBarText.Render(r.Percent / 100, barWidth);
                lines.Add(full
                    ? table.Row(width, name, bar, Percent.Text(r.Percent), Format.CompactRate(r.BytesPerSecond), r.DatagramsSent.ToString(CultureInfo.InvariantCulture),
                        Format.Bytes(r.BytesAcked), r.Retransmitted.ToString(CultureInfo.InvariantCulture), DurationText.Rtt(r.RttMicros), r.StatusText)
                    : table.Row(width, name, bar, Percent.Text(r.Percent), Format.CompactRate(r.BytesPerSecond), r.StatusText));
            }
        }
        foreach (var r in Rows)
        {
            if (r.Result is { Verified: false } failed)
            {
                lines.Add(PaneTable.Cut("  " + r.Name + ": " + (failed.Error.Length > 0 ? SafeText.Escape(failed.Error) : "not verified"), width));
            }
        }
        return lines;
    }

    /// <summary>"sub/dir/" of "sub/dir/file", empty for a file at the top.</summary>
    private static string FolderOf(string name) => name[..(name.LastIndexOf('/') + 1)];
}
