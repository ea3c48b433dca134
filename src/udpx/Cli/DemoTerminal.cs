using Udpx.Common;
using Udpx.Demo;
using Udpx.Modes;

namespace Udpx.Cli;

/// <summary>The demo on a terminal: the modes run one after another by themselves, then the screen stays until q; keys 1 to 4 run a mode again.</summary>
internal static class DemoTerminal
{
    public static int Run(DemoSession session, DemoRunPlan plan, CancellationToken cancellationToken)
    {
        using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var servers = session.Scenario.Servers.Select((s, i) => new Ui.DemoServer("server" + (i + 1) + " " + s.EndPoint, s.Protocol, s.Stream)).ToList();
        var pending = new List<Task>();
        var summaries = Ui.TerminalUi.RunDemo(
            servers,
            (mode, token) =>
            {
                var (transfers, runWorkers, completion) = session.Start(mode, plan.Workers, plan.Settings, token);
                pending.Add(completion);
                return new Ui.LiveDemoRun(mode, runWorkers, transfers, Summarise(completion));
            },
            plan.Modes,
            Intro(session, plan),
            quit);
        try
        {
            Task.WaitAll([.. pending], TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
        }
        foreach (var s in summaries)
        {
            Console.Out.WriteLine($"{s.Mode.Name(),-14} {Format.Seconds(s.Seconds),10} {Format.Rate(s.BytesPerSecond),12} {Format.Number(s.Datagrams),10} datagrams {Format.Number(s.Retransmitted),8} retransmitted  {(s.AllVerified ? "all identical" : "NOT ALL IDENTICAL")}");
        }
        return summaries.All(s => s.AllVerified) ? ExitCodes.Ok : ExitCodes.TransferFailed;

        static async Task<Ui.DemoRunSummary> Summarise(Task<Demo.Recording.RecordedRun> completion)
        {
            var run = (await completion.ConfigureAwait(false)).Run;
            return new Ui.DemoRunSummary(run.Mode, run.Seconds, run.Bytes / Math.Max(run.Seconds, 1e-9), run.Datagrams, run.Retransmitted, run.AllIdentical);
        }
    }

    /// <summary>The client pane's first lines: the download step, the pace and the loss.</summary>
    private static List<string> Intro(DemoSession session, DemoRunPlan plan)
    {
        var lines = new List<string>();
        foreach (var d in session.Downloads)
        {
            lines.Add("GET " + d.File.Name + ": " + Format.Bytes(d.File.Size) + " in " + Format.Seconds(d.Seconds));
        }
        var setting = new List<string>();
        if (plan.Settings.RateBytesPerSecond > 0)
        {
            setting.Add("paced " + SizeText.Format(plan.Settings.RateBytesPerSecond) + "/s per transfer");
        }
        if (session.Relays is not null)
        {
            setting.Add("relays drop " + plan.LossPercent.ToString(System.Globalization.CultureInfo.InvariantCulture) + "%");
        }
        if (setting.Count > 0)
        {
            lines.Add(string.Join(", ", setting));
        }
        return lines;
    }
}
