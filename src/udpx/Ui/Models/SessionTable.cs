using System.Globalization;
using Udpx.Common;
using Udpx.Server;
using Udpx.Ui.Text;

namespace Udpx.Ui.Models;

/// <summary>
/// The sessions of a server as rows: progress, live rate, datagrams dropped as duplicate or corrupt,
/// state. Sessions still receiving come first, then the finished ones, newest first within each.
/// </summary>
internal sealed class SessionTable
{
    private static readonly PaneTable Full = new(
        new PaneColumn("client", 21, Grow: 2),
        new PaneColumn("file", 12, Grow: 3),
        new PaneColumn("received", 8, AlignRight: true),
        new PaneColumn("%", 3, AlignRight: true),
        new PaneColumn("rate", 10, AlignRight: true),
        new PaneColumn("dup", 5, AlignRight: true),
        new PaneColumn("bad", 4, AlignRight: true),
        new PaneColumn("state", 6));

    private static readonly PaneTable Compact = new(
        new PaneColumn("file", 8, Grow: 1),
        new PaneColumn("%", 3, AlignRight: true),
        new PaneColumn("rate", 10, AlignRight: true),
        new PaneColumn("dup", 4, AlignRight: true),
        new PaneColumn("state", 6));

    // Keyed by listener too: a udpx client picks its own session ID, the TFTP listener counts from 1.
    private readonly Dictionary<(ulong Id, SessionKind Kind), RateMeter> _meters = [];

    public IReadOnlyList<SessionRow> Rows { get; private set; } = [];

    public void Update(long nowMicros, IReadOnlyList<SessionSnapshot> sessions)
    {
        var rows = new List<SessionRow>(sessions.Count);
        var live = new HashSet<(ulong, SessionKind)>();
        foreach (var s in sessions)
        {
            live.Add((s.Id, s.Kind));
            bool finished = s.State is SessionState.Done or SessionState.Failed;
            double rate;
            if (finished)
            {
                // A finished session shows what it averaged, not a rate decaying to zero.
                long span = s.FinishedAt - s.StartedAt;
                rate = span > 0 ? s.BytesReceived * 1e6 / span : 0;
                _meters.Remove((s.Id, s.Kind));
            }
            else
            {
                if (!_meters.TryGetValue((s.Id, s.Kind), out var meter))
                {
                    meter = new RateMeter();
                    _meters.Add((s.Id, s.Kind), meter);
                }
                rate = meter.Update(nowMicros, s.BytesReceived);
            }
            double percent = Percent.Of(s.BytesReceived, s.FileSize, s.State == SessionState.Done);
            rows.Add(new SessionRow(s.Id, s.Peer, s.Name, s.BytesReceived, s.FileSize, percent, rate, s.Duplicates, s.Corrupt, s.State, s.Message, s.Kind));
        }
        foreach (var id in _meters.Keys)
        {
            if (!live.Contains(id))
            {
                _meters.Remove(id);
            }
        }
        var starts = new Dictionary<(ulong, SessionKind), long>(sessions.Count);
        foreach (var s in sessions)
        {
            starts[(s.Id, s.Kind)] = s.StartedAt;
        }
        rows.Sort((a, b) =>
        {
            int byActivity = IsActive(b.State).CompareTo(IsActive(a.State));
            return byActivity != 0 ? byActivity : starts[(b.Id, b.Kind)].CompareTo(starts[(a.Id, a.Kind)]);
        });
        Rows = rows;
    }

    public int Active
    {
        get
        {
            int n = 0;
            foreach (var row in Rows)
            {
                n += IsActive(row.State) ? 1 : 0;
            }
            return n;
        }
    }

    /// <summary>A header line and one line per session, <paramref name="width"/> characters wide.</summary>
    public IReadOnlyList<string> Lines(int width)
    {
        var lines = new List<string>(Rows.Count + 1) { Full.Header(width) };
        if (Rows.Count == 0)
        {
            lines.Add("no sessions yet: waiting for clients");
        }
        foreach (var r in Rows)
        {
            lines.Add(Full.Row(
                width,
                r.Peer,
                r.Name,
                Format.Bytes(r.BytesReceived),
                Percent.Text(r.Percent),
                Format.CompactRate(r.BytesPerSecond),
                r.Duplicates.ToString(CultureInfo.InvariantCulture),
                r.Corrupt.ToString(CultureInfo.InvariantCulture),
                r.StateText));
        }
        return lines;
    }

    /// <summary>The narrow form for the demo's side-by-side panes: no client address, no corrupt count.</summary>
    public IReadOnlyList<string> CompactLines(int width)
    {
        var lines = new List<string>(Rows.Count + 1) { Compact.Header(width) };
        if (Rows.Count == 0)
        {
            lines.Add("waiting for clients");
        }
        foreach (var r in Rows)
        {
            lines.Add(Compact.Row(
                width,
                r.Name,
                Percent.Text(r.Percent),
                Format.CompactRate(r.BytesPerSecond),
                r.Duplicates.ToString(CultureInfo.InvariantCulture),
                r.StateText));
        }
        return lines;
    }

    private static bool IsActive(SessionState state) => state is SessionState.Preparing or SessionState.Receiving or SessionState.Verifying;
}
