using System.Diagnostics;
using System.Globalization;
using Udpx.Common;
using Udpx.Modes;
using Udpx.Net;
using Udpx.Server;

namespace Udpx.Demo.Recording;

/// <summary>
/// Watches a run of the demo from the side, reading snapshots at its own pace (every
/// <see cref="Interval"/>): each transfer's acknowledged bytes and RTT for the timelines, and the first
/// datagrams each server received for the stream excerpts. It never touches the transfers themselves.
/// </summary>
internal sealed class RunRecorder
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Throughput is averaged over this much time: acknowledgements (and the process modes' reports) come in bursts.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    /// <summary>Datagrams kept per server for the excerpt.</summary>
    public const int ExcerptLines = 12;

    private readonly IReadOnlyList<TransferHandle> _handles;
    private readonly IReadOnlyList<ServerHost> _servers;
    private readonly IReadOnlyList<string> _targets;
    private readonly List<TimelinePoint>[] _points;
    private readonly List<(double Seconds, long Bytes)>[] _acked;
    private readonly bool[] _sampledEnded;
    private readonly List<StreamLine>[] _lines;
    private readonly long[] _cursors;
    private readonly long[] _totals;
    private readonly long[] _origins;
    private readonly DatagramRecord[] _buffer;
    private readonly long _started = Stopwatch.GetTimestamp();
    private double _lastSeconds;

    /// <param name="targets">The address each server is sent to (its own, or its relay's), in the servers' order.</param>
    public RunRecorder(IReadOnlyList<TransferHandle> handles, IReadOnlyList<ServerHost> servers, IReadOnlyList<string> targets)
    {
        _handles = handles;
        _servers = servers;
        _targets = targets;
        _points = [.. handles.Select(_ => new List<TimelinePoint> { new(0, 0, 0, 0) })];
        _acked = [.. handles.Select(_ => new List<(double, long)> { (0, 0) })];
        _sampledEnded = new bool[handles.Count];
        _lines = [.. servers.Select(_ => new List<StreamLine>(ExcerptLines))];
        _cursors = [.. servers.Select(s => s.Stream.Written)];
        _totals = new long[servers.Count];
        _origins = [.. servers.Select(_ => -1L)];
        _buffer = new DatagramRecord[servers.Count == 0 ? 1 : servers.Max(s => s.Stream.Capacity)];
    }

    /// <summary>Samples every interval until <paramref name="completion"/> ends, then once more, and returns the record.</summary>
    public async Task<RecordedRun> RecordAsync(Task<DemoRun> completion, Func<long>? relayDropped = null)
    {
        long droppedBefore = relayDropped?.Invoke() ?? 0;
        using (var timer = new PeriodicTimer(Interval))
        {
            while (!completion.IsCompleted)
            {
                var tick = timer.WaitForNextTickAsync().AsTask();
                await Task.WhenAny(tick, completion).ConfigureAwait(false);
                Sample();
            }
        }
        var run = await completion.ConfigureAwait(false);
        Sample();
        return Result(run, (relayDropped?.Invoke() ?? 0) - droppedBefore);
    }

    /// <summary>One look at every transfer and every server's ring.</summary>
    public void Sample()
    {
        double seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        if (seconds <= _lastSeconds)
        {
            return;
        }
        for (int i = 0; i < _handles.Count; i++)
        {
            var points = _points[i];
            bool ended = _handles[i].Result is not null;
            if (_sampledEnded[i] && points[^1].BytesPerSecond == 0)
            {
                continue; // Ended, seen ended, and the line already came down to zero.
            }
            _sampledEnded[i] = ended;
            var c = _handles[i].Counters.Snapshot();
            long bytes = _handles[i].Result is { Verified: true } r ? Math.Max(c.BytesAcked, r.Bytes) : c.BytesAcked;
            double rate = RateOver(_acked[i], seconds, bytes);
            long rtt = c.RttMicros > 0 ? c.RttMicros : _handles[i].Result?.RttMicros ?? 0;
            points.Add(new TimelinePoint(seconds, rate, rtt / 1000.0, c.Retransmitted));
        }
        _lastSeconds = seconds;
        for (int s = 0; s < _servers.Count; s++)
        {
            ReadStream(s);
        }
    }

    /// <summary>Bytes acknowledged per second over the last <see cref="Window"/>, from the samples so far.</summary>
    private static double RateOver(List<(double Seconds, long Bytes)> acked, double seconds, long bytes)
    {
        acked.Add((seconds, bytes));
        var since = acked[0];
        for (int i = acked.Count - 1; i >= 0; i--)
        {
            if (seconds - acked[i].Seconds >= Window.TotalSeconds)
            {
                since = acked[i];
                break;
            }
        }
        double span = seconds - since.Seconds;
        return span > 0 ? Math.Max(0, bytes - since.Bytes) / span : 0;
    }

    private void ReadStream(int s)
    {
        var ring = _servers[s].Stream;
        int n = ring.ReadSince(ref _cursors[s], _buffer, out long missed);
        _totals[s] += n + missed;
        var lines = _lines[s];
        if (lines.Count >= ExcerptLines || n == 0)
        {
            return;
        }
        var sessions = _servers[s].Protocol.Sessions;
        Span<byte> head = stackalloc byte[8];
        for (int i = 0; i < n && lines.Count < ExcerptLines; i++)
        {
            var d = _buffer[i];
            if (_origins[s] < 0)
            {
                _origins[s] = d.TimeMicros;
            }
            string from = "session " + d.SessionId.ToString("x", CultureInfo.InvariantCulture);
            string file = string.Empty;
            foreach (var session in sessions)
            {
                if (session.Id == d.SessionId)
                {
                    from = session.PeerText;
                    file = SafeText.Escape(session.Name);
                    break;
                }
            }
            d.CopyHead(head);
            lines.Add(new StreamLine((d.TimeMicros - _origins[s]) / 1000.0, from, file, d.Chunk, d.RunningBytes, d.Length, Format.Hex(head[..d.HeadLength])));
        }
    }

    private RecordedRun Result(DemoRun run, long relayDropped)
    {
        var timelines = new List<TransferTimeline>(_handles.Count);
        for (int i = 0; i < _handles.Count; i++)
        {
            timelines.Add(new TransferTimeline(_handles[i].Job.Name, IndexOf(_handles[i].Job.Server) + 1, _points[i]));
        }
        var streams = new List<ServerStream>(_servers.Count);
        for (int s = 0; s < _servers.Count; s++)
        {
            streams.Add(new ServerStream(s + 1, _servers[s].EndPoint.ToString(), _lines[s], _totals[s]));
        }
        return new RecordedRun(run, timelines, streams, relayDropped);
    }

    private int IndexOf(string target)
    {
        for (int i = 0; i < _targets.Count; i++)
        {
            if (_targets[i] == target)
            {
                return i;
            }
        }
        return -1;
    }
}
