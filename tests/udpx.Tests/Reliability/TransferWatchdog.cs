using System.Diagnostics;
using System.Globalization;
using System.Text;
using Udpx.Engine;
using Udpx.Modes;

namespace Udpx.Tests.Reliability;

/// <summary>
/// Runs a batch under a dispatcher and watches every transfer. A transfer has hung when it makes no
/// progress (no new byte acknowledged, no change of phase) for the stall bound, or has not ended within
/// its hard bound from when it left <see cref="TransferPhase.Pending"/>, or the batch outlives its own
/// bound; the watchdog then names it, cancels the batch and returns. Ended means a result, or the phase
/// Done or Failed (the modes hand results over in job order, so a result can wait behind a slower job's).
/// A hung transfer's line ends with its history, one sample a second (bytes acknowledged, window, RTT),
/// so a failure says whether it crawled all along or stopped at a point.
/// </summary>
internal static class TransferWatchdog
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HistoryEvery = TimeSpan.FromSeconds(1);

    /// <returns>One line per hung transfer; empty when every transfer ended in time.</returns>
    public static async Task<IReadOnlyList<string>> RunAsync(
        ITransferDispatcher dispatcher,
        IReadOnlyList<TransferHandle> handles,
        Func<int, TimeSpan> bound,
        TimeSpan stallBound,
        TimeSpan batchBound,
        Func<int, string> describe)
    {
        using var cancel = new CancellationTokenSource();
        var run = dispatcher.RunAsync(handles, cancel.Token);
        var batch = Stopwatch.StartNew();
        var startedAt = new TimeSpan?[handles.Count];
        var progressAt = new TimeSpan[handles.Count];
        var progress = new (long BytesAcked, TransferPhase Phase)[handles.Count];
        var hung = new List<string>();
        var history = handles.Select(_ => new StringBuilder()).ToArray();
        var sampledAt = TimeSpan.Zero;
        while (!run.IsCompleted && hung.Count == 0)
        {
            await Task.WhenAny(run, Task.Delay(Poll));
            var now = batch.Elapsed;
            bool sample = now - sampledAt >= HistoryEvery;
            if (sample)
            {
                sampledAt = now;
            }
            for (int i = 0; i < handles.Count; i++)
            {
                var snapshot = handles[i].Counters.Snapshot();
                if (handles[i].Result is not null || snapshot.Phase is TransferPhase.Done or TransferPhase.Failed)
                {
                    continue;
                }
                if (startedAt[i] is null && snapshot.Phase != TransferPhase.Pending)
                {
                    startedAt[i] = now;
                }
                if (sample && startedAt[i] is not null)
                {
                    history[i].Append(CultureInfo.InvariantCulture, $"\n    {now.TotalSeconds:F0} s: {snapshot.Phase}, {snapshot.BytesAcked} B acknowledged, window {snapshot.Window}, RTT {snapshot.RttMicros / 1000.0:F1} ms, {snapshot.Retransmitted} of {snapshot.DatagramsSent} datagrams resent");
                }
                if ((snapshot.BytesAcked, snapshot.Phase) != progress[i])
                {
                    progress[i] = (snapshot.BytesAcked, snapshot.Phase);
                    progressAt[i] = now;
                }
                if (startedAt[i] is not null && now - progressAt[i] > stallBound)
                {
                    hung.Add(Line(describe(i), "stalled: no new byte acknowledged and no change of phase for " + Seconds(stallBound) + " s", snapshot) + history[i]);
                }
                else if (startedAt[i] is { } started && now - started > bound(i))
                {
                    hung.Add(Line(describe(i), "no end " + Seconds(bound(i)) + " s after it started, though still making progress", snapshot) + history[i]);
                }
                else if (now > batchBound)
                {
                    hung.Add(Line(describe(i), "no end when the batch's bound of " + Seconds(batchBound) + " s passed", snapshot) + history[i]);
                }
            }
        }
        if (hung.Count > 0)
        {
            await cancel.CancelAsync();
            try
            {
                await run.WaitAsync(StopBound);
            }
            catch (TimeoutException)
            {
                hung.Add("the dispatcher (" + dispatcher.Mode.Name() + ") did not stop within " + Seconds(StopBound) + " s of being cancelled");
            }
        }
        else
        {
            await run;
        }
        return hung;
    }

    private static string Line(string transfer, string what, TransferSnapshot s) => string.Create(
        CultureInfo.InvariantCulture,
        $"HUNG: {transfer}: {what} (phase {s.Phase}, {s.DatagramsSent} datagrams sent, {s.Retransmitted} retransmitted, {s.BytesAcked} bytes acknowledged, {s.AcksReceived} acks)");

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
