using System.Globalization;
using Udpx.Net;
using Udpx.Ui.Text;

namespace Udpx.Ui.Models;

/// <summary>
/// The live datagram stream of a pane, in the spirit of the course servers that printed every datagram:
/// time, sender, running byte count, length, first bytes. Read from one or more rings at the UI's pace;
/// when more arrive than a person can read, an even sample is kept and the ratio said ("showing 1 in 40").
/// Paused, it still drains the rings (so that resuming does not replay a flood) but keeps what it shows.
/// </summary>
internal sealed class StreamFeed
{
    private const long Second = 1_000_000;

    private readonly List<StreamSource> _sources = [];
    private readonly List<StreamEntry> _entries = [];
    private readonly List<Arrival> _arrived = [];
    private readonly Queue<(long At, long Arrived, long Shown)> _window = new();
    private readonly RateMeter _rate = new(Second);
    private readonly PaneTable _full;
    private readonly PaneTable _compact;
    private DatagramRecord[] _buffer = [];

    /// <param name="fromHeader">What the label column holds: "from" on a server, "file" on a client.</param>
    public StreamFeed(string fromHeader = "from", int linesPerPoll = 5, int history = 500)
    {
        _full = new PaneTable(
            new PaneColumn("time", 10, AlignRight: true),
            new PaneColumn(fromHeader, 12, Grow: 1),
            new PaneColumn("chunk", 7, AlignRight: true),
            new PaneColumn("bytes so far", 12, AlignRight: true),
            new PaneColumn("len", 5, AlignRight: true),
            new PaneColumn("first bytes", 11, Grow: 1));
        _compact = new PaneTable(
            new PaneColumn("time", 7, AlignRight: true),
            new PaneColumn(fromHeader, 5, Grow: 1),
            new PaneColumn("bytes", 9, AlignRight: true),
            new PaneColumn("len", 4, AlignRight: true),
            new PaneColumn("first", 5, Grow: 1));
        LinesPerPoll = Math.Max(1, linesPerPoll);
        History = Math.Max(1, history);
    }

    /// <summary>Most datagrams kept per poll; at four polls a second, five make twenty lines a second.</summary>
    public int LinesPerPoll { get; }

    /// <summary>Most datagrams kept for scrolling back.</summary>
    public int History { get; }

    public bool Paused { get; set; }

    /// <summary>Datagrams seen in the last second, counted or not.</summary>
    public double PerSecond { get; private set; }

    /// <summary>One datagram shown for this many that arrived, over the last second; 1 when all are shown.</summary>
    public double Ratio { get; private set; } = 1;

    public long Total { get; private set; }

    public IReadOnlyList<StreamEntry> Entries => _entries;

    public void Add(StreamSource source) => _sources.Add(source);

    public void Add(DatagramRing ring, Func<DatagramRecord, string> label) => Add(new StreamSource(ring, label));

    public void Poll(long nowMicros)
    {
        _arrived.Clear();
        long arrived = 0;
        foreach (var source in _sources)
        {
            if (_buffer.Length < source.Ring.Capacity)
            {
                _buffer = new DatagramRecord[source.Ring.Capacity];
            }
            int n = source.Read(_buffer, out long missed);
            arrived += n + missed;
            for (int i = 0; i < n; i++)
            {
                var record = _buffer[i];
                _arrived.Add(new Arrival(record, source, record.TimeMicros - source.Origin, _arrived.Count));
            }
        }
        Total += arrived;

        long shown = 0;
        if (!Paused)
        {
            if (_sources.Count > 1)
            {
                // By time since each stream began; a ring's own order breaks ties.
                _arrived.Sort(static (a, b) => a.Micros != b.Micros ? a.Micros.CompareTo(b.Micros) : a.Order.CompareTo(b.Order));
            }
            shown = Keep(_arrived);
        }
        Measure(nowMicros, arrived, shown);
    }

    /// <summary>"showing all", "showing 1 in 40", "paused".</summary>
    public string SamplingText()
    {
        if (Paused)
        {
            return "paused";
        }
        long ratio = (long)Math.Round(Ratio);
        return ratio <= 1 ? "showing all" : "showing 1 in " + ratio.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A title for the pane: what is sampled and how fast datagrams come.</summary>
    public string Title(string name) =>
        name + ": " + SamplingText() + ", " + PerSecond.ToString("0", CultureInfo.InvariantCulture) + "/s";

    /// <summary>A header line and every kept datagram (oldest first), <paramref name="width"/> characters wide.</summary>
    public IReadOnlyList<string> Lines(int width)
    {
        bool full = width >= _full.MinWidth;
        var table = full ? _full : _compact;
        int[] widths = table.WidthsFor(width);
        int hexWidth = widths[^1];
        int hexBytes = Math.Clamp((hexWidth + 1) / 3, 1, 8);
        var lines = new List<string>(_entries.Count + 1);
        lines.Add(table.Header(width));
        if (_entries.Count == 0)
        {
            lines.Add(Paused ? "(paused)" : "no datagrams yet");
        }
        foreach (var e in _entries)
        {
            var r = e.Record;
            string time = full ? DurationText.Stamp(e.Micros) : StampMillis(e.Micros);
            string hex = HexText.Format(r, hexBytes);
            lines.Add(full
                ? table.Row(width, time, e.Label, r.Chunk.ToString(CultureInfo.InvariantCulture), r.RunningBytes.ToString("N0", CultureInfo.InvariantCulture), r.Length.ToString(CultureInfo.InvariantCulture), hex)
                : table.Row(width, time, e.Label, r.RunningBytes.ToString(CultureInfo.InvariantCulture), r.Length.ToString(CultureInfo.InvariantCulture), hex));
        }
        return lines;
    }

    private long Keep(List<Arrival> arrived)
    {
        int n = arrived.Count;
        int take = Math.Min(n, LinesPerPoll);
        for (int k = 0; k < take; k++)
        {
            // Evenly spaced, ending on the newest; only these are labelled.
            var a = arrived[n - 1 - (int)((long)(take - 1 - k) * n / take)];
            _entries.Add(new StreamEntry(a.Record, a.Source.Label(a.Record), a.Micros));
        }
        if (_entries.Count > History * 2)
        {
            _entries.RemoveRange(0, _entries.Count - History);
        }
        return take;
    }

    private void Measure(long nowMicros, long arrived, long shown)
    {
        PerSecond = _rate.Update(nowMicros, Total);
        if (Paused)
        {
            return;
        }
        _window.Enqueue((nowMicros, arrived, shown));
        while (_window.Count > 1 && nowMicros - _window.Peek().At >= Second)
        {
            _window.Dequeue();
        }
        long sumArrived = 0;
        long sumShown = 0;
        foreach (var (_, a, s) in _window)
        {
            sumArrived += a;
            sumShown += s;
        }
        Ratio = sumShown > 0 ? (double)sumArrived / sumShown : 1;
    }

    private static string StampMillis(long micros) => (Math.Max(0, micros) / 1e6).ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>A datagram just read, before the sample is taken.</summary>
    private readonly record struct Arrival(DatagramRecord Record, StreamSource Source, long Micros, int Order);
}
