using System.CommandLine;
using System.Text.Json;
using Udpx.Bench;
using Udpx.Common;
using Udpx.Modes;
using Udpx.Protocol;

namespace Udpx.Cli;

/// <summary>`udpx bench`: the modes (and, with --peers, other tools) over loopback, measured and tabulated.</summary>
internal static class BenchVerb
{
    public static Command Create() => Build().Command;

    /// <summary>The options of `udpx bench ARGS...`, checked; a bad value is a <see cref="UserError"/> of exit code 2.</summary>
    internal static BenchOptions Parse(params string[] args)
    {
        var (command, read) = Build();
        var parsed = command.Parse(args);
        return parsed.Errors.Count > 0 ? throw new UserError(ExitCodes.Usage, parsed.Errors[0].Message) : read(parsed);
    }

    private static (Command Command, Func<ParseResult, BenchOptions> Read) Build()
    {
        var mode = TypedOption.Many("--mode", "-m", "Modes to measure (repeatable); default: all four", OptionValues.Mode).Modes();
        var size = TypedOption.Many("--size", null, "File size (repeatable), e.g. 32K, 64M, 256Mi (decimal; Ki/Mi/Gi binary); default: 64M", OptionValues.PositiveSize);
        var count = TypedOption.Of("--count", "-n", "Files per point, each sent once per run", OptionValues.WholeNumber(1), () => 1);
        var datagramSize = TypedOption.Many("--datagram-size", "-s", "UDP payload bytes per datagram (repeatable); default: 1472", OptionValues.WholeNumber(Wire.MinDatagramSize, Wire.MaxDatagramSize, " bytes"));
        var workers = TypedOption.Many("--workers", "-w", "Workers for process-async and thread-async (repeatable); default: the core count", OptionValues.WholeNumber(1, 4096));
        var servers = TypedOption.Of("--servers", null, "In-process servers on loopback; file i goes to server i mod n", OptionValues.WholeNumber(1), () => 2);
        var repeat = TypedOption.Of("--repeat", "-r", "Runs per point; tables show the median", OptionValues.WholeNumber(1), () => 3);
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of tables" };
        var report = TypedOption.Path("--report", null, "Also write DIR/report.md and DIR/modes.svg");
        var peers = new Option<bool>("--peers") { Description = "Also run the installed peer tools (socat, atftp, curl+tftpd-hpa, uftp, udpcast, iperf3) on the same file" };
        var command = new Command("bench", "Measure the four modes over loopback: time, throughput, datagrams, CPU, memory; optionally against other tools")
        {
            mode, size, count, datagramSize, workers, servers, repeat, json, report, peers,
        };
        BenchOptions Read(ParseResult result) => new()
        {
            Modes = result.GetValue(mode) is { Length: > 0 } modes ? modes : ConcurrencyModeNames.Every,
            Sizes = result.GetValue(size) is { Length: > 0 } sizes ? sizes : [64_000_000],
            Count = result.GetValue(count),
            DatagramSizes = result.GetValue(datagramSize) is { Length: > 0 } datagramSizes ? datagramSizes : [Wire.EthernetDatagramSize],
            Workers = result.GetValue(workers) is { Length: > 0 } workerCounts ? workerCounts : [Environment.ProcessorCount],
            Servers = result.GetValue(servers),
            Repeat = result.GetValue(repeat),
            Peers = result.GetValue(peers),
        };
        command.SetAction((result, cancellationToken) => RunAsync(Read(result), result.GetValue(json), result.GetValue(report), cancellationToken));
        return (command, Read);
    }

    private static async Task<int> RunAsync(BenchOptions options, bool json, string? reportFolder, CancellationToken cancellationToken)
    {
        string temp = Path.GetTempPath();
        long needed = BenchRunner.SpaceNeeded(options);
        long free = new DriveInfo(temp).AvailableFreeSpace;
        if (free < needed + (256L << 20))
        {
            throw new UserError(ExitCodes.InputError, $"bench: {Format.Bytes(needed)} of temporary space needed in {temp}, {Format.Bytes(free)} free; set TMPDIR to a larger disk or use a smaller --size/--count");
        }
        if (reportFolder is not null)
        {
            try
            {
                Directory.CreateDirectory(reportFolder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UserError(ExitCodes.InputError, "--report: cannot create '" + reportFolder + "': " + ex.Message);
            }
        }

        var progress = Console.Error;
        BenchResults results;
        using (var runner = new BenchRunner(options, line => progress.WriteLine("bench: " + line)))
        {
            results = await runner.RunAsync(cancellationToken).ConfigureAwait(false);
        }

        var report = BenchReport.From(results, CommandLineText());
        var output = Console.Out;
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, BenchJson.Readable.BenchReport));
        }
        else
        {
            output.WriteLine($"udpx {report.Version}; {report.Machine.Cores} cores; {report.Machine.Runtime}{(report.Machine.NativeAot ? ", native AOT" : ", JIT")}");
            foreach (var t in BenchTables.Modes(results, options.Servers, options.Repeat).Concat(BenchTables.Peers(results, options.Repeat)))
            {
                output.WriteLine();
                output.WriteLine(t.Title);
                output.WriteLine(t.Table.Render());
            }
            if (results.Peers.Count > 0)
            {
                output.WriteLine();
                output.WriteLine("peer settings:");
                foreach (var (tool, settings) in BenchTables.PeerSettings(results))
                {
                    output.WriteLine("  " + tool + ": " + settings);
                }
            }
            if (options.Peers && options.Count > 1)
            {
                output.WriteLine();
                output.WriteLine("peers run only with --count 1 (one file, the same for every tool)");
            }
        }
        if (reportFolder is not null)
        {
            BenchReportWriter.Write(reportFolder, report, results, options);
            if (!json)
            {
                output.WriteLine();
                output.WriteLine("report: " + Path.Combine(reportFolder, BenchReportWriter.MarkdownName) + ", " + Path.Combine(reportFolder, BenchReportWriter.ChartName));
            }
        }
        return results.Ok ? ExitCodes.Ok : ExitCodes.TransferFailed;
    }

    /// <summary>The command as typed, for the report: "udpx bench --mode thread ...".</summary>
    private static string CommandLineText()
    {
        var args = Environment.GetCommandLineArgs().Skip(1).Select(a => a.Length == 0 || a.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '*') ? "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : a);
        return "udpx " + string.Join(' ', args);
    }
}
