using System.CommandLine;
using Udpx.Common;
using Udpx.Demo;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Protocol;

namespace Udpx.Cli;

/// <summary>`udpx demo`: the whole lab on one machine, nothing to set up.</summary>
internal static class DemoVerb
{
    /// <summary>The pace per transfer on a terminal and for the report: the four modes take about half a minute with the samples.</summary>
    public const long WatchableRate = 150_000;

    public static Command Create()
    {
        var mode = TypedOption.Many("--mode", "-m", "Modes to run (repeatable); default: all four", OptionValues.Mode).Modes();
        var workers = TypedOption.Of("--workers", "-w", "Workers for the async modes; default: the core count", OptionValues.WholeNumber(1), () => Environment.ProcessorCount);
        var json = new Option<bool>("--json") { Description = "Print one JSON document" };
        var headless = new Option<bool>("--headless") { Description = "Plain output even on a terminal (no TUI)" };
        var datagramSize = TypedOption.Of("--datagram-size", "-s", "UDP payload bytes per datagram", OptionValues.WholeNumber(Wire.MinDatagramSize, Wire.MaxDatagramSize, " bytes"), () => Wire.EthernetDatagramSize);
        var files = TypedOption.Many("--file", "-f", "Send these files instead of the downloaded sample images (repeatable)", OptionValues.Path);
        var rate = TypedOption.Of<long?>("--rate", null, "Pace of each transfer in bytes per second, e.g. 500k; 0 for full speed (default: 150k on a terminal and with --report, full speed otherwise)", ReadRate);
        var loss = TypedOption.Of("--loss", null, "Percent of datagrams an in-process relay in front of each server drops, each way (0 to 50; default 0)", ReadLoss, () => 0.0);
        var report = TypedOption.Path("--report", null, "Write the lab report DIR/report.html (self-contained HTML)");
        var command = new Command("demo", "Run the lab on this machine: the sample images downloaded, two servers on loopback, all four modes, every file checked")
        {
            mode, workers, json, headless, datagramSize, files, rate, loss, report,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new DemoArguments(
                result.GetValue(mode) ?? [], result.GetValue(workers), result.GetValue(json), result.GetValue(headless),
                result.GetValue(datagramSize), result.GetValue(files) ?? [], result.GetValue(rate), result.GetValue(loss), result.GetValue(report)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(DemoArguments a, CancellationToken cancellationToken)
    {
        var modes = a.Modes.Length > 0 ? a.Modes : ConcurrencyModeNames.Every;
        foreach (string file in a.Files)
        {
            if (!File.Exists(file))
            {
                throw new UserError(ExitCodes.InputError, "file not found: " + file);
            }
        }
        string? reportPath = a.Report is null ? null : Demo.Report.LabReportWriter.Prepare(a.Report);
        bool interactive = !a.Json && !a.Headless && Ui.TerminalUi.IsInteractive;
        var settings = new TransferSettings
        {
            DatagramSize = a.DatagramSize,
            RateBytesPerSecond = a.Rate ?? (interactive || reportPath is not null ? WatchableRate : 0),
        };

        DemoSession session;
        try
        {
            session = await DemoSession.StartAsync(a.Files.Length > 0 ? [.. a.Files.Select(Path.GetFullPath)] : null, a.LossPercent, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new UserError(ExitCodes.InputError, "the demo's download step failed: " + ex.Message);
        }
        await using (session.ConfigureAwait(false))
        {
            var run = new DemoRunPlan(modes, a.Workers, settings, a.LossPercent);
            int exit = interactive
                ? DemoTerminal.Run(session, run, cancellationToken)
                : await DemoConsole.RunAsync(session, run, a.Json, Console.Out, cancellationToken).ConfigureAwait(false);
            if (reportPath is not null)
            {
                Demo.Report.LabReportWriter.Write(reportPath, Demo.Report.LabReport.From(session, CommandLineText(), run.Settings, a.LossPercent));
                if (!a.Json)
                {
                    Console.Out.WriteLine("report: " + reportPath);
                }
            }
            return exit;
        }
    }

    /// <summary>--rate: bytes per second, at least 1k, or 0 for full speed.</summary>
    private static bool ReadRate(string text, out long? rate, out string error)
    {
        bool parsed = SizeText.TryParseRate(text, out long bytes, out error);
        rate = bytes;
        error = "'" + text + "': use bytes per second such as 128k or 5M (at least 1k), or 0 for full speed";
        return parsed && bytes is 0 or >= 1000;
    }

    /// <summary>--loss: a percentage from 0 to 50.</summary>
    private static bool ReadLoss(string text, out double percent, out string error)
    {
        bool parsed = PercentText.TryParse(text, out percent, out error);
        error = "'" + text + "': use a percentage from 0 to 50, such as 5";
        return parsed && percent is >= 0 and <= 50;
    }

    /// <summary>How this demo was started, for the report: "udpx demo --report out".</summary>
    private static string CommandLineText() => "udpx " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(arg => arg.Contains(' ', StringComparison.Ordinal) ? "'" + arg + "'" : arg));

    /// <summary>The values of the command line, as given.</summary>
    private sealed record DemoArguments(ConcurrencyMode[] Modes, int Workers, bool Json, bool Headless, int DatagramSize, string[] Files, long? Rate, double LossPercent, string? Report);
}
