using System.CommandLine;
using System.Text.Json;
using Udpx.Common;
using Udpx.Demo;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Protocol;

namespace Udpx.Cli;

/// <summary>`udpx demo`: the whole lab on one machine, nothing to set up.</summary>
internal static class DemoVerb
{
    public static Command Create()
    {
        var mode = new Option<string[]>("--mode", "-m") { Description = "Modes to run (repeatable); default: all four" };
        var workers = new Option<int>("--workers", "-w") { Description = "Workers for the async modes; default: the core count", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print one JSON document" };
        var headless = new Option<bool>("--headless") { Description = "Plain output even on a terminal (no TUI)" };
        var datagramSize = new Option<int>("--datagram-size", "-s") { Description = "UDP payload bytes per datagram", DefaultValueFactory = _ => Wire.EthernetDatagramSize };
        var files = new Option<string[]>("--file", "-f") { Description = "Send these files instead of the built-in sample images (repeatable)" };
        var command = new Command("demo", "Run the lab on this machine: two servers on loopback, the sample images, all four modes, every file checked")
        {
            mode, workers, json, headless, datagramSize, files,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(mode) ?? [], result.GetValue(workers), result.GetValue(json), result.GetValue(headless),
            result.GetValue(datagramSize), result.GetValue(files) ?? [], cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string[] modeNames, int workers, bool json, bool headless, int datagramSize, string[] files, CancellationToken cancellationToken)
    {
        var modes = new List<ConcurrencyMode>();
        foreach (string name in modeNames.Length == 0 ? ConcurrencyModeNames.All : modeNames)
        {
            modes.Add(ConcurrencyModeNames.TryParse(name, out var m) ? m : throw new UserError(ExitCodes.Usage, "unknown mode '" + name + "': use process, thread, process-async or thread-async"));
        }
        if (workers < 1)
        {
            throw new UserError(ExitCodes.Usage, "--workers must be at least 1");
        }
        if (datagramSize is < Wire.MinDatagramSize or > Wire.MaxDatagramSize)
        {
            throw new UserError(ExitCodes.Usage, "--datagram-size must be between " + Wire.MinDatagramSize + " and " + Wire.MaxDatagramSize + " bytes");
        }
        foreach (string file in files)
        {
            if (!File.Exists(file))
            {
                throw new UserError(ExitCodes.InputError, "file not found: " + file);
            }
        }
        var settings = new TransferSettings { DatagramSize = datagramSize };
        using var scenario = new DemoScenario(files: files.Length > 0 ? files.Select(Path.GetFullPath).ToList() : null);
        var output = Console.Out;

        if (!json && !headless && Ui.TerminalUi.IsInteractive)
        {
            return RunInteractive(scenario, modes, workers, settings, cancellationToken);
        }

        if (!json)
        {
            output.WriteLine($"udpx demo: servers on {string.Join(" and ", scenario.Servers.Select(s => s.EndPoint))}; files {string.Join(", ", scenario.Files.Select(f => f.Name + " (" + Format.Bytes(f.Size) + ")"))}");
        }
        var runs = new List<DemoRun>();
        foreach (var mode in modes)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            var run = await scenario.RunAsync(mode, workers, settings, cancellationToken).ConfigureAwait(false);
            runs.Add(run);
            if (!json)
            {
                output.WriteLine($"-- {mode.Name()}{(run.Workers > 0 ? " (" + run.Workers + " workers)" : string.Empty)}");
                foreach (var r in run.Results)
                {
                    output.WriteLine("   " + SendVerb.Describe(r));
                }
                foreach (var check in run.Checks)
                {
                    output.WriteLine($"   {check.Name} on {check.Server}: {(check.Identical ? "identical to the source, byte for byte" : "DIFFERS or missing: " + check.Error)}");
                }
            }
        }

        bool ok = runs.Count == modes.Count && runs.All(r => r.AllIdentical);
        if (json)
        {
            var report = new DemoReport(runs.Select(ToRow).ToList(), ok);
            output.WriteLine(JsonSerializer.Serialize(report, CliJson.Default.DemoReport));
        }
        else
        {
            output.WriteLine();
            output.WriteLine(Table(runs));
            output.WriteLine(ok ? "all files arrived identical under every mode" : "SOME FILES DID NOT ARRIVE INTACT");
        }
        return cancellationToken.IsCancellationRequested ? ExitCodes.Interrupted : ok ? ExitCodes.Ok : ExitCodes.TransferFailed;
    }

    /// <summary>The demo on a terminal: the first mode runs at once, keys 1 to 4 run the others.</summary>
    private static int RunInteractive(DemoScenario scenario, List<ConcurrencyMode> modes, int workers, TransferSettings settings, CancellationToken cancellationToken)
    {
        using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var servers = scenario.Servers.Select((s, i) => new Ui.DemoServer("server" + (i + 1) + " " + s.EndPoint, s.Protocol, s.Stream)).ToList();
        var pending = new List<Task>();
        var summaries = Ui.TerminalUi.RunDemo(
            servers,
            (mode, token) =>
            {
                var (transfers, runWorkers, completion) = scenario.Start(mode, workers, settings, token);
                pending.Add(completion);
                return new Ui.LiveDemoRun(mode, runWorkers, transfers, Summarise(completion));
            },
            modes.Count > 0 ? modes[0] : ConcurrencyMode.Thread,
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

        static async Task<Ui.DemoRunSummary> Summarise(Task<DemoRun> completion)
        {
            var run = await completion.ConfigureAwait(false);
            return new Ui.DemoRunSummary(run.Mode, run.Seconds, run.Bytes / Math.Max(run.Seconds, 1e-9), run.Datagrams, run.Retransmitted, run.AllIdentical);
        }
    }

    private static DemoModeResult ToRow(DemoRun r) => new(r.Mode.Name(), Math.Round(r.Seconds, 6), Math.Round(r.Bytes / Math.Max(r.Seconds, 1e-9)), r.Datagrams, r.Retransmitted, r.Checks.Count, r.AllIdentical);

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
}
