using System.Text.Json;
using Udpx.Common;
using Udpx.Demo;
using Udpx.Demo.Recording;
using Udpx.Modes;

namespace Udpx.Cli;

/// <summary>The demo as plain text (or one JSON document): the download step, then each mode in turn, then the table of modes.</summary>
internal static class DemoConsole
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(DemoSession session, DemoRunPlan plan, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        var scenario = session.Scenario;
        if (!json)
        {
            foreach (var d in session.Downloads)
            {
                output.WriteLine($"downloaded {d.Url}: {Format.Bytes(d.File.Size)} in {Format.Seconds(d.Seconds)}");
            }
            output.WriteLine($"udpx demo: servers on {string.Join(" and ", scenario.Servers.Select(s => s.EndPoint))}; files {string.Join(", ", scenario.Files.Select(f => f.Name + " (" + Format.Bytes(f.Size) + ")"))}");
            if (session.Relays is { } relays)
            {
                output.WriteLine($"through relays on {string.Join(" and ", relays.EndPoints)}, each dropping {plan.LossPercent}% of the datagrams each way");
            }
            if (plan.Settings.RateBytesPerSecond > 0)
            {
                output.WriteLine($"each transfer paced at {SizeText.Format(plan.Settings.RateBytesPerSecond)}/s (--rate 0 for full speed)");
            }
        }
        var runs = new List<RecordedRun>();
        foreach (var mode in plan.Modes)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            var (transfers, workers, completion) = session.Start(mode, plan.Workers, plan.Settings, cancellationToken);
            if (!json)
            {
                output.WriteLine($"-- {mode.Name()}{(workers > 0 ? " (" + workers + " workers)" : string.Empty)}");
            }
            while (!json && !completion.IsCompleted)
            {
                if (await Task.WhenAny(completion, Task.Delay(ProgressEvery, cancellationToken)).ConfigureAwait(false) != completion)
                {
                    WriteProgress(output, transfers);
                }
            }
            var record = await completion.ConfigureAwait(false);
            runs.Add(record);
            if (!json)
            {
                WriteRun(output, record, session.Relays is not null);
            }
        }

        bool ok = runs.Count == plan.Modes.Count && runs.All(r => r.Run.AllIdentical);
        if (json)
        {
            var downloads = session.Downloads.Select(d => new DemoDownloadResult(d.Url.ToString(), d.File.Size, Math.Round(d.Seconds, 6))).ToList();
            var report = new DemoReport(runs.Select(r => ToRow(r.Run)).ToList(), ok) { Downloads = downloads, LossPercent = plan.LossPercent };
            output.WriteLine(JsonSerializer.Serialize(report, CliJson.Default.DemoReport));
        }
        else
        {
            output.WriteLine();
            output.WriteLine(Table([.. runs.Select(r => r.Run)]));
            output.WriteLine(ok ? "all files arrived identical under every mode" : "SOME FILES DID NOT ARRIVE INTACT");
        }
        return cancellationToken.IsCancellationRequested ? ExitCodes.Interrupted : ok ? ExitCodes.Ok : ExitCodes.TransferFailed;
    }

    internal static string Table(IReadOnlyList<DemoRun> runs)
    {
        var lines = new List<string>
        {
            $"{"mode",-14} {"time",10} {"throughput",12} {"datagrams",10} {"retransmit",10}  files",
            new string('-', 68),
        };
        foreach (var r in runs)
        {
            lines.Add($"{r.Mode.Name(),-14} {Format.Seconds(r.Seconds),10} {Format.Rate(r.Bytes / Math.Max(r.Seconds, 1e-9)),12} {Format.Number(r.Datagrams),10} {Format.Number(r.Retransmitted),10}  {r.Checks.Count(c => c.Identical)}/{r.Checks.Count} identical");
        }
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>A line per transfer still going: how far, and how much was sent again (the recovery, under --loss).</summary>
    private static void WriteProgress(TextWriter output, IReadOnlyList<TransferHandle> transfers)
    {
        foreach (var t in transfers)
        {
            if (t.Result is not null)
            {
                continue;
            }
            var c = t.Counters.Snapshot();
            double percent = t.FileSize > 0 ? 100.0 * c.BytesAcked / t.FileSize : 0;
            output.WriteLine($"   .. {SafeText.Escape(t.Job.Name)} -> {t.Job.Server}: {percent:F0}% acknowledged, {Format.Number(c.DatagramsSent)} datagrams, {Format.Number(c.Retransmitted)} retransmitted");
        }
    }

    private static void WriteRun(TextWriter output, RecordedRun record, bool relayed)
    {
        var run = record.Run;
        foreach (var r in run.Results)
        {
            output.WriteLine("   " + SendVerb.Describe(r));
        }
        if (relayed)
        {
            output.WriteLine($"   the relays dropped {Format.Number(record.RelayDropped)} datagrams; the senders retransmitted {Format.Number(run.Retransmitted)}");
        }
        foreach (var check in run.Checks)
        {
            output.WriteLine($"   {check.Name} on {check.Server}: {(check.Identical ? "identical to the source, byte for byte" : "DIFFERS or missing: " + check.Error)}");
        }
    }

    private static DemoModeResult ToRow(DemoRun r) => new(r.Mode.Name(), Math.Round(r.Seconds, 6), Math.Round(r.Bytes / Math.Max(r.Seconds, 1e-9)), r.Datagrams, r.Retransmitted, r.Checks.Count, r.AllIdentical);
}
