using System.Globalization;
using Udpx.Common;
using Udpx.Modes;
using Udpx.Ui.Text;

namespace Udpx.Ui.Models;

/// <summary>
/// The client side of a run: the transfers grouped by destination server (in the order servers first
/// appear), with mode, worker count and elapsed time for the header.
/// </summary>
internal sealed class SendViewModel
{
    private readonly List<ServerGroup> _servers = [];
    private readonly long _startedAt;
    private long _elapsed;

    public SendViewModel(IReadOnlyList<TransferHandle> transfers, ConcurrencyMode mode, int workers, long startedAtMicros, int streamLinesPerPoll = 5)
    {
        Mode = mode;
        Workers = workers;
        Transfers = transfers;
        _startedAt = startedAtMicros;
        var byServer = new Dictionary<string, ServerGroup>(StringComparer.OrdinalIgnoreCase);
        foreach (var transfer in transfers)
        {
            if (!byServer.TryGetValue(transfer.Job.Server, out var group))
            {
                group = new ServerGroup(transfer.Job.Server, streamLinesPerPoll);
                byServer.Add(transfer.Job.Server, group);
                _servers.Add(group);
            }
            group.Add(transfer);
        }
    }

    public ConcurrencyMode Mode { get; }

    public int Workers { get; }

    public IReadOnlyList<TransferHandle> Transfers { get; }

    public IReadOnlyList<ServerGroup> Servers => _servers;

    public int Finished { get; private set; }

    public bool AllFinished => Finished == Transfers.Count;

    public double BytesPerSecond { get; private set; }

    /// <summary>Time since the run began; it stops when the last transfer ends.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(_elapsed * 10);

    public void Update(long nowMicros)
    {
        int finished = 0;
        double rate = 0;
        foreach (var group in _servers)
        {
            group.Update(nowMicros);
            finished += group.Finished;
            rate += group.BytesPerSecond;
        }
        Finished = finished;
        BytesPerSecond = rate;
        if (!AllFinished || _elapsed == 0)
        {
            _elapsed = Math.Max(0, nowMicros - _startedAt);
        }
    }

    /// <summary>"mode thread-async  4 workers  elapsed 00:12  3 of 6 done  12.3 MiB/s".</summary>
    public string Header() => HeaderLine.Join([.. HeaderParts()]);

    /// <summary>The header's parts, most important first.</summary>
    public IReadOnlyList<string> HeaderParts() =>
        ["mode " + Mode.Name(), WorkersText(), "elapsed " + DurationText.Elapsed(Elapsed), Done(), Format.CompactRate(BytesPerSecond)];

    /// <summary>The header without mode and time: "4 workers  3 of 6 done  12.3 MiB/s".</summary>
    public string Summary() => HeaderLine.Join(WorkersText(), Done(), Format.CompactRate(BytesPerSecond));

    private string WorkersText() =>
        Workers > 0 ? Workers.ToString(CultureInfo.InvariantCulture) + (Workers == 1 ? " worker" : " workers") : "one per transfer";

    private string Done() => Finished.ToString(CultureInfo.InvariantCulture) + " of " + Transfers.Count.ToString(CultureInfo.InvariantCulture) + " done";

    /// <summary>How the run ended so far: every transfer verified, or how many failed.</summary>
    public string Outcome()
    {
        if (!AllFinished)
        {
            return string.Empty;
        }
        int failed = 0;
        foreach (var t in Transfers)
        {
            failed += t.Result is { Verified: true } ? 0 : 1;
        }
        return failed == 0 ? "all verified" : failed.ToString(CultureInfo.InvariantCulture) + " failed";
    }
}
