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
    public static Command Create()
    {
        var mode = new Option<string[]>("--mode", "-m") { Description = "Modes to measure (repeatable); default: all four" };
        var size = new Option<string[]>("--size") { Description = "File size (repeatable), e.g. 32K, 64M, 256Mi (decimal; Ki/Mi/Gi binary); default: 64M" };
        var count = new Option<int>("--count", "-n") { Description = "Files per point, each sent once per run", DefaultValueFactory = _ => 1 };
        var datagramSize = new Option<int[]>("--datagram-size", "-s") { Description = "UDP payload bytes per datagram (repeatable); default: 1472" };
        var workers = new Option<int[]>("--workers", "-w") { Description = "Workers for process-async and thread-async (repeatable); default: the core count" };
        var servers = new Option<int>("--servers") { Description = "In-process servers on loopback; file i goes to server i mod n", DefaultValueFactory = _ => 2 };
        var repeat = new Option<int>("--repeat", "-r") { Description = "Runs per point; tables show the median", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of tables" };
        var report = new Option<string>("--report") { Description = "Also write DIR/report.md and DIR/modes.svg" };
        var peers = new Option<bool>("--peers") { Description = "Also run the installed peer tools (socat, atftp, curl+tftpd-hpa, uftp, udpcast, iperf3) on the same file" };
        var command = new Command("bench", "Measure the four modes over loopback: time, throughput, datagrams, CPU, memory; optionally against other tools")
        {
            mode, size, count, datagramSize, workers, servers, repeat, json, report, peers,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            Parse(
                result.GetValue(mode) ?? [], result.GetValue(size) ?? [], result.GetValue(count), result.GetValue(datagramSize) ?? [],
                result.GetValue(workers) ?? [], result.GetValue(servers), result.GetValue(repeat), result.GetValue(peers)),
            result.GetValue(json),
            result.GetValue(report),
            cancellationToken));
        return command;
    }

    internal static BenchOptions Parse(string[] modeNames, string[] sizeTexts, int count, int[] datagramSizes, int[] workers, int servers, int repeat, bool peers)
    {
        var modes = new List<ConcurrencyMode>();
        foreach (string name in modeNames.Length == 0 ? ConcurrencyModeNames.All : modeNames)
        {
            modes.Add(ConcurrencyModeNames.TryParse(name, out var m) ? m : throw new UserError(ExitCodes.Usage, "unknown mode '" + name + "': use process, thread, process-async or thread-async"));
        }
        var sizes = new List<long>();
        foreach (string text in sizeTexts.Length == 0 ? ["64M"] : sizeTexts)
        {
            sizes.Add(SizeText.TryParse(text, out long bytes) && bytes > 0 ? bytes : throw new UserError(ExitCodes.Usage, "--size '" + text + "': use a size such as 32K, 64M or 256Mi"));
        }
        foreach (int d in datagramSizes)
        {
            if (d is < Wire.MinDatagramSize or > Wire.MaxDatagramSize)
            {
                throw new UserError(ExitCodes.Usage, "--datagram-size must be between " + Wire.MinDatagramSize + " and " + Wire.MaxDatagramSize + " bytes");
            }
        }
        if (workers.Any(w => w < 1))
        {
            throw new UserError(ExitCodes.Usage, "--workers must be at least 1");
        }
        if (count < 1 || servers < 1 || repeat < 1)
        {
            throw new UserError(ExitCodes.Usage, (count < 1 ? "--count" : servers < 1 ? "--servers" : "--repeat") + " must be at least 1");
        }
        return new BenchOptions
        {
            Modes = modes,
            Sizes = sizes,
            Count = count,
            DatagramSizes = datagramSizes.Length == 0 ? [Wire.EthernetDatagramSize] : datagramSizes,
            Workers = workers.Length == 0 ? [Environment.ProcessorCount] : workers,
            Servers = servers,
            Repeat = repeat,
            Peers = peers,
        };
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
