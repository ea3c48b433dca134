using System.Globalization;
using Udpx.Common;
using Udpx.Net;
using Udpx.Server;
using Udpx.Tftp;
using Udpx.Ui.Text;

namespace Udpx.Ui.Models;

/// <summary>
/// A server as its screen shows it: sessions, the live datagram stream, and the receive rate over the last
/// minute. Reads the protocol's snapshots (session list, counters) and the stream ring; never writes to them.
/// </summary>
internal sealed class ServerViewModel
{
    private readonly ServerShards _server;
    private readonly TftpServer? _tftp;
    private readonly Dictionary<ulong, string> _peers = [];
    private readonly RateMeter _rate = new();
    private SessionSnapshot[] _snapshots = [];

    public ServerViewModel(ServerProtocol server, DatagramRing stream, string name = "udpx server", int streamLinesPerPoll = 5)
        : this(ServerShards.Of(server, stream), name, streamLinesPerPoll)
    {
    }

    /// <summary>
    /// A server on several receive threads: their sessions and counters together, each thread's stream; with
    /// <paramref name="tftp"/>, the TFTP listener's transfers in the same table.
    /// </summary>
    public ServerViewModel(ServerShards server, string name = "udpx server", int streamLinesPerPoll = 5, TftpServer? tftp = null)
    {
        _server = server;
        _tftp = tftp;
        Name = name;
        Stream = new StreamFeed("from", streamLinesPerPoll);
        foreach (var stream in server.Streams)
        {
            Stream.Add(stream, PeerOf);
        }
    }

    public string Name { get; }

    public SessionTable Sessions { get; } = new();

    public StreamFeed Stream { get; }

    public RateHistory History { get; } = new(60);

    public double BytesPerSecond => _rate.BytesPerSecond;

    public long TotalBytes { get; private set; }

    public void Update(long nowMicros)
    {
        var sessions = _server.Sessions;
        var tftp = _tftp?.Shown ?? [];
        var snapshots = new SessionSnapshot[sessions.Count + tftp.Count];
        _peers.Clear();
        for (int i = 0; i < sessions.Count; i++)
        {
            snapshots[i] = SessionSnapshot.Of(sessions[i]);
            _peers[snapshots[i].Id] = snapshots[i].Peer;
        }
        for (int i = 0; i < tftp.Count; i++)
        {
            snapshots[sessions.Count + i] = SessionSnapshot.Of(tftp[i]);
        }
        _snapshots = snapshots;
        Sessions.Update(nowMicros, snapshots);
        Stream.Poll(nowMicros);
        TotalBytes = _server.Stats.Bytes;
        _rate.Update(nowMicros, TotalBytes);
        History.Update(nowMicros, TotalBytes);
    }

    /// <summary>
    /// "udpx server", "2 active / 5 sessions", "1.20 MiB/s", "12.3 MiB in", "done 3, failed 0": most important first.
    /// Sessions, done and failed count TFTP transfers too; the rate and the bytes in are udpx's.
    /// </summary>
    public IReadOnlyList<string> HeaderParts()
    {
        var stats = _server.Stats;
        long done = stats.Completed + (_tftp?.Stats.Completed ?? 0);
        long failed = stats.Failed + (_tftp?.Stats.Failed ?? 0);
        return
        [
            Name,
            Sessions.Active.ToString(CultureInfo.InvariantCulture) + " active / " + _snapshots.Length.ToString(CultureInfo.InvariantCulture) + " sessions",
            Format.CompactRate(BytesPerSecond),
            Format.Bytes(TotalBytes) + " in",
            "done " + done.ToString(CultureInfo.InvariantCulture) + ", failed " + failed.ToString(CultureInfo.InvariantCulture),
        ];
    }

    public string Header() => HeaderLine.Join([.. HeaderParts()]);

    /// <summary>Datagrams dropped before reaching a session, and offers refused; empty when there are none.</summary>
    public string Problems()
    {
        var s = _server.Stats;
        var parts = new List<string>(6);
        Add(parts, s.BadChecksum, "corrupt");
        Add(parts, s.Malformed, "malformed");
        Add(parts, s.NotUdpx, "not udpx");
        Add(parts, s.UnknownSession, "unknown session");
        Add(parts, s.WrongPeer, "wrong sender");
        Add(parts, s.BadCookie, "bad cookie");
        Add(parts, s.Rejected, "refused");
        if (_tftp is not null)
        {
            Add(parts, _tftp.Stats.Malformed, "tftp malformed");
            Add(parts, _tftp.Stats.Refused, "tftp refused");
        }
        return parts.Count == 0 ? string.Empty : "dropped: " + string.Join(", ", parts);
    }

    public string GraphTitle() =>
        "rate, last " + History.Capacity.ToString(CultureInfo.InvariantCulture) + " s: now " + Format.CompactRate(History.Latest) + ", peak " + Format.CompactRate(History.Peak);

    public IReadOnlyList<string> GraphLines(int width, int height)
    {
        int columnsPerSecond = Math.Max(1, width / History.Capacity);
        return Sparkline.Render(History.ToArray(), width, height, columnsPerValue: columnsPerSecond);
    }

    /// <summary>The narrow form for the demo: a summary line, the sessions, then as much of the stream as fits.</summary>
    public IReadOnlyList<string> CompactLines(int width, int height)
    {
        var lines = new List<string>
        {
            PaneTable.Cut(Sessions.Active.ToString(CultureInfo.InvariantCulture) + " active  " + Format.Bytes(TotalBytes) + " in  " + Format.CompactRate(BytesPerSecond), width),
        };
        lines.AddRange(Sessions.CompactLines(width));
        var stream = Stream.Lines(width);
        int room = height - lines.Count;
        if (room >= 2)
        {
            lines.Add(stream[0]);
            int take = Math.Min(room - 1, stream.Count - 1);
            for (int i = stream.Count - take; i < stream.Count; i++)
            {
                lines.Add(stream[i]);
            }
        }
        return lines;
    }

    private string PeerOf(DatagramRecord record) =>
        _peers.TryGetValue(record.SessionId, out string? peer) ? peer : "session " + record.SessionId.ToString("x", CultureInfo.InvariantCulture);

    private static void Add(List<string> parts, long count, string what)
    {
        if (count > 0)
        {
            parts.Add(count.ToString(CultureInfo.InvariantCulture) + " " + what);
        }
    }
}
