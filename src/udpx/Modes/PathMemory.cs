using Udpx.Engine;

namespace Udpx.Modes;

/// <summary>
/// The parent's memory of each path's congestion state across worker processes, as TCP keeps per-destination
/// metrics: a worker reports how its transfer went, and the next worker toward the same server starts from
/// the flight the path carried instead of from <see cref="CongestionController.InitialWindow"/>. A child process
/// otherwise learns its path anew from sixteen datagrams; a process-mode file of 8 MiB is mostly that.
/// <para>
/// What is remembered is the pipe the path was seen to hold, not the window: the transfer's delivery rate
/// (bytes over seconds, handshake and verification included) times its smoothed round trip, and never more
/// than the window its controller ended with. A short transfer ends in start-up with a window as large as the
/// file (it doubled every round and nothing said stop), which is no measure of the path.
/// </para>
/// <para>
/// Careful with a shared network (after RFC 9040's cached metrics and "careful resume"): the next transfer
/// gets half the remembered pipe, not all of it, and its controller stays in start-up, paced over the
/// handshake's round trip, so it doubles in a round if the path still has room and cuts at once on a queue
/// or a loss if it has not. Idle, the memory ages: halved again for every <see cref="AgeingPeriod"/> of
/// silence (eight round trips, at least 50 ms: a host hands a job from one process to the next within a few
/// milliseconds, but not within a loopback round trip), and forgotten after <see cref="SharedPaths.ForgetAfter"/>,
/// as an idle in-process path is. A failed transfer forgets the path.
/// </para>
/// </summary>
internal sealed class PathMemory(TimeProvider? time = null)
{
    private static readonly TimeSpan MinAgeingPeriod = TimeSpan.FromMilliseconds(50);
    private const int AgeingRtts = 8;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<(string Server, int DatagramSize, bool Background), Entry> _paths = [];

    /// <summary>
    /// Notes how <paramref name="job"/>'s path ended up; a failed transfer forgets it. A small file's pipe is under
    /// a datagram (its seconds are mostly handshake): the next transfer starts cold, but with its round trip.
    /// </summary>
    public void Record(TransferJob job, TransferResult result)
    {
        var key = Key(job);
        lock (_paths)
        {
            if (!result.Verified)
            {
                _paths.Remove(key);
                return;
            }
            _paths[key] = new Entry(Pipe(result, job.Settings.DatagramSize), result.RttMicros, _time.GetTimestamp());
        }
    }

    /// <summary>
    /// Notes what a transfer still running had measured when it had sent everything once, so the next one on
    /// its path can start before it ends; its result, when it comes, is recorded over it.
    /// </summary>
    public void Note(TransferJob job, PathSample sample)
    {
        int pipe = Pipe(sample.BytesAcked, sample.Seconds, sample.RttMicros, sample.Window, job.Settings.DatagramSize);
        if (pipe <= 0)
        {
            return;
        }
        lock (_paths)
        {
            _paths[Key(job)] = new Entry(pipe, sample.RttMicros, _time.GetTimestamp());
        }
    }

    /// <summary>The window the next transfer on <paramref name="job"/>'s path should start from; 0: the controller's own.</summary>
    public int InitialWindowFor(TransferJob job)
    {
        Entry entry;
        lock (_paths)
        {
            if (job.Settings.Tftp is not null || !_paths.TryGetValue(Key(job), out entry))
            {
                return 0;
            }
        }
        return Resume(entry.Flight, entry.RttMicros, _time.GetElapsedTime(entry.At));
    }

    /// <summary>
    /// The round trip <paramref name="job"/>'s path was last seen with, for its handshake's first wait; 0 when
    /// none is remembered or the path has been idle past <see cref="SharedPaths.ForgetAfter"/>.
    /// </summary>
    public long RttFor(TransferJob job)
    {
        Entry entry;
        lock (_paths)
        {
            if (job.Settings.Tftp is not null || !_paths.TryGetValue(Key(job), out entry))
            {
                return 0;
            }
        }
        var idle = _time.GetElapsedTime(entry.At);
        return idle < TimeSpan.Zero || idle > SharedPaths.ForgetAfter ? 0 : Math.Max(0, entry.RttMicros);
    }

    /// <summary>How long a remembered window keeps its size: eight round trips, at least 50 ms.</summary>
    public static TimeSpan AgeingPeriod(long rttMicros) =>
        TimeSpan.FromTicks(Math.Max(MinAgeingPeriod.Ticks, AgeingRtts * Math.Max(0, rttMicros) * 10));

    /// <summary>
    /// Half the remembered window, halved again per ageing period idle; 0 (start cold) once that is no more than
    /// the controller's initial window or the path has been idle past <see cref="SharedPaths.ForgetAfter"/>.
    /// </summary>
    public static int Resume(int window, long rttMicros, TimeSpan idle)
    {
        if (idle > SharedPaths.ForgetAfter || idle < TimeSpan.Zero)
        {
            return 0;
        }
        long periods = idle.Ticks / AgeingPeriod(rttMicros).Ticks;
        int resumed = periods >= 31 ? 0 : (window / 2) >> (int)periods;
        return resumed > CongestionController.InitialWindow ? resumed : 0;
    }

    /// <summary>Datagrams the path carried per round trip: delivery rate times smoothed RTT, at most the ending window.</summary>
    public static int Pipe(TransferResult result, int datagramSize) =>
        Pipe(result.Bytes - result.ResumedBytes, result.Seconds, result.RttMicros, result.PathWindow, datagramSize);

    private static int Pipe(double delivered, double seconds, long rttMicros, int window, int datagramSize)
    {
        if (seconds <= 0 || rttMicros <= 0 || delivered <= 0 || datagramSize <= 0)
        {
            return 0;
        }
        double pipe = delivered / seconds * rttMicros / 1e6 / datagramSize;
        return (int)Math.Min(window, pipe);
    }

    private static (string, int, bool) Key(TransferJob job) => (job.Server, job.Settings.DatagramSize, job.Settings.Background);

    private readonly record struct Entry(int Flight, long RttMicros, long At);
}
