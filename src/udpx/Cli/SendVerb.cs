using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Udpx.Client;
using Udpx.Common;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Protocol;

namespace Udpx.Cli;

/// <summary>`udpx send`: download URLs, read local files, spread them over the servers and send them reliably.</summary>
internal static class SendVerb
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Local files or folders to send (a folder: every regular file beneath it, under its relative path)", Arity = ArgumentArity.ZeroOrMore };
        var urls = new Option<string[]>("--url", "-u") { Description = "HTTP(S) URL to download first and then send (repeatable)", AllowMultipleArgumentsPerToken = false };
        var to = new Option<string[]>("--to", "-t") { Description = "Server HOST:PORT (repeatable); file i goes to server i mod n", Required = true };
        var mode = new Option<string>("--mode", "-m") { Description = "process | thread | process-async | thread-async", DefaultValueFactory = _ => "thread" };
        var workers = new Option<int>("--workers", "-w") { Description = "Worker processes (process-async) or transfers in flight (thread-async); default: the core count", DefaultValueFactory = _ => Environment.ProcessorCount };
        var each = new Option<bool>("--each") { Description = "Send every file to every server" };
        var json = new Option<bool>("--json") { Description = "Print one JSON result document" };
        var headless = new Option<bool>("--headless") { Description = "Plain output even on a terminal (no TUI)" };
        var datagramSize = new Option<int>("--datagram-size", "-s") { Description = "UDP payload bytes per datagram: 1472 fits Ethernet; up to 65507 on loopback or jumbo links", DefaultValueFactory = _ => Wire.EthernetDatagramSize };
        var rate = new Option<string>("--rate") { Description = "Fixed cap per transfer in bytes per second, e.g. 50M (default: none, the congestion control decides)" };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "Seconds to wait for a server to answer the handshake", DefaultValueFactory = _ => 5 };
        var keyFile = new Option<string>("--key-file") { Description = "Authenticate every datagram with this pre-shared key (or set UDPX_KEY)" };
        var encrypt = new Option<bool>("--encrypt") { Description = "Also encrypt the file bytes (AES-256-GCM); needs --key-file or UDPX_KEY" };
        var jobTimeout = new Option<double>("--job-timeout") { Description = "Seconds a single transfer may take, in every mode, before it fails", DefaultValueFactory = _ => 3600 };
        var together = new Option<bool>("--keep-folders-together") { Description = "Send every file of one folder argument to the same server (argument i to server i mod n)" };
        var idleTimeout = new Option<double>("--idle-timeout") { Description = "Seconds without newly acknowledged data before a transfer fails", DefaultValueFactory = _ => 15 };

        var tftp = new Option<bool>("--tftp") { Description = "Write the files to TFTP servers (WRQ) instead of udpx ones; see --blksize, --windowsize" };
        var tftpOptions = new TftpClientOptions();
        var command = new Command("send", "Send files (and downloaded URLs) to one or more udpx servers under one of four concurrency modes")
        {
            files, urls, to, mode, workers, each, json, headless, datagramSize, rate, connectTimeout, jobTimeout, idleTimeout, keyFile, encrypt, together, tftp,
        };
        foreach (var option in tftpOptions.All)
        {
            command.Options.Add(option);
        }
        command.SetAction((result, cancellationToken) => RunAsync(
            new SendArguments(
                result.GetValue(files) ?? [],
                result.GetValue(urls) ?? [],
                result.GetValue(to) ?? [],
                result.GetValue(mode)!,
                result.GetValue(workers),
                result.GetValue(each),
                result.GetValue(json),
                result.GetValue(headless),
                result.GetValue(datagramSize),
                result.GetValue(rate),
                result.GetValue(connectTimeout),
                result.GetValue(jobTimeout),
                result.GetValue(keyFile),
                result.GetValue(encrypt),
                result.GetValue(idleTimeout),
                result.GetValue(together),
                result.GetValue(tftp) ? tftpOptions.Read(result, read: false) : null),
            cancellationToken));
        return command;
    }

    internal sealed record SendArguments(
        string[] Files, string[] Urls, string[] Servers, string Mode, int Workers, bool Each, bool Json, bool Headless,
        int DatagramSize, string? Rate, double ConnectTimeout, double JobTimeout, string? KeyFile = null, bool Encrypt = false, double IdleTimeout = 15, bool KeepFoldersTogether = false, TftpTransferSettings? Tftp = null);

    internal static async Task<int> RunAsync(SendArguments a, CancellationToken cancellationToken)
    {
        if (!ConcurrencyModeNames.TryParse(a.Mode, out var mode))
        {
            throw new UserError(ExitCodes.Usage, "unknown mode '" + a.Mode + "': use process, thread, process-async or thread-async");
        }
        if (a.Workers < 1)
        {
            throw new UserError(ExitCodes.Usage, "--workers must be at least 1");
        }
        if (a.DatagramSize is < Wire.MinDatagramSize or > Wire.MaxDatagramSize)
        {
            throw new UserError(ExitCodes.Usage, "--datagram-size must be between " + Wire.MinDatagramSize + " and " + Wire.MaxDatagramSize + " bytes");
        }
        long rate = 0;
        if (a.Rate is not null && (!Units.TryParseBytes(a.Rate, out rate) || rate < 1000))
        {
            throw new UserError(ExitCodes.Usage, "--rate '" + a.Rate + "': use bytes per second such as 500k or 100M (at least 1k)");
        }
        if (a.ConnectTimeout <= 0 || a.JobTimeout <= 0 || a.IdleTimeout <= 0)
        {
            throw new UserError(ExitCodes.Usage, "timeouts must be more than 0 seconds");
        }
        if (a.Files.Length == 0 && a.Urls.Length == 0)
        {
            throw new UserError(ExitCodes.Usage, "nothing to send: give files and/or --url URL");
        }
        foreach (string server in a.Servers)
        {
            if (!ServerAddress.TryParse(server, out _, out _, out string error))
            {
                throw new UserError(ExitCodes.Usage, "--to " + error);
            }
            try
            {
                ServerAddress.Resolve(server);
            }
            catch (ArgumentException ex)
            {
                throw new UserError(ExitCodes.NetworkError, "--to " + ex.Message);
            }
        }
        var uris = a.Urls.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new UserError(ExitCodes.Usage, "--url '" + u + "': give an absolute http:// or https:// URL")).ToList();

        if (a.Tftp is not null && (a.KeyFile is not null || a.Encrypt))
        {
            throw new UserError(ExitCodes.Usage, "--tftp has no authentication or encryption: drop --key-file and --encrypt");
        }
        var key = a.Tftp is null ? KeyOption.Load(a.KeyFile) : null;
        if (a.Encrypt && key is null)
        {
            throw new UserError(ExitCodes.Usage, "--encrypt needs a key: give --key-file PATH or set UDPX_KEY");
        }
        var tree = new SourceTree();
        for (int i = 0; i < a.Files.Length; i++)
        {
            tree.Add(a.Files[i], i);
        }
        var sources = tree.Files.ToList();

        var output = Console.Out;
        if (!a.Json)
        {
            SendOutput.WriteSkipped(output, tree);
        }
        long started = Stopwatch.GetTimestamp();
        string? downloads = null;
        var downloadReports = new List<DownloadReport>();
        try
        {
            if (uris.Count > 0)
            {
                downloads = Directory.CreateTempSubdirectory("udpx-downloads-").FullName;
                using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
                var downloader = new Downloader(http, downloads);
                foreach (var uri in uris)
                {
                    try
                    {
                        var (file, seconds) = await downloader.DownloadAsync(uri, cancellationToken).ConfigureAwait(false);
                        sources.Add(file);
                        downloadReports.Add(new DownloadReport(uri.ToString(), file.Name, file.Size, seconds));
                        if (!a.Json)
                        {
                            output.WriteLine($"downloaded {SafeText.Escape(uri.ToString())}: {Format.Number(file.Size)} bytes in {Format.Seconds(seconds)}");
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        throw new UserError(ExitCodes.InputError, "download of " + uri + " failed: " + ex.Message);
                    }
                }
            }

            var settings = new TransferSettings { DatagramSize = a.DatagramSize, RateBytesPerSecond = rate, ConnectTimeout = TimeSpan.FromSeconds(a.ConnectTimeout),
                IdleTimeout = TimeSpan.FromSeconds(a.IdleTimeout), JobTimeout = TimeSpan.FromSeconds(a.JobTimeout), Key = key, Encrypt = a.Encrypt, Tftp = a.Tftp };
            var jobs = SendPlan.Assign(sources, a.Servers, a.Each, settings, a.KeepFoldersTogether);
            var handles = jobs.Select(j => new TransferHandle(j) { FileSize = new FileInfo(j.Path).Length }).ToList();
            ITransferDispatcher dispatcher;
            try
            {
                // The engine ends a transfer at its job timeout in every mode; a future that outlives that by
                // a margin (a wedged worker process) is given up as well.
                dispatcher = DispatcherFactory.Create(mode, a.Workers, TimeSpan.FromSeconds(a.JobTimeout + 30));
            }
            catch (InvalidOperationException ex)
            {
                throw new UserError(ExitCodes.InputError, ex.Message);
            }
            long sendStarted = Stopwatch.GetTimestamp();
            if (!a.Json && !a.Headless && Ui.TerminalUi.IsInteractive)
            {
                // The UI holds the terminal until q; quitting early cancels the transfers cleanly (Abort to the server).
                using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var running = dispatcher.RunAsync(handles, quit.Token);
                Ui.TerminalUi.RunSend(handles, mode, dispatcher.Workers, quit);
                await running.ConfigureAwait(false);
            }
            else
            {
                await dispatcher.RunAsync(handles, cancellationToken).ConfigureAwait(false);
            }
            double sendSeconds = Stopwatch.GetElapsedTime(sendStarted).TotalSeconds;
            double total = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var results = handles.Select(h => h.Result ?? JobFutures.Failed(h.Job, "no result")).ToList();
            bool ok = results.All(r => r.Verified);

            if (a.Json)
            {
                var report = new SendReport(mode.Name(), dispatcher.Workers, Math.Round(total, 6), ok, downloadReports, results, SendTotal.Of(results), tree.Skipped, tree.EmptyFolders);
                output.WriteLine(JsonSerializer.Serialize(report, CliJson.Default.SendReport));
            }
            else
            {
                SendOutput.WriteByFolder(output, results);
                long bytes = results.Where(r => r.Verified).Sum(r => r.Bytes);
                output.WriteLine($"{results.Count(r => r.Verified)}/{results.Count} transfers verified, {Format.Bytes(bytes)} in {Format.Seconds(sendSeconds)} ({Format.Rate(sendSeconds > 0 ? bytes / sendSeconds : 0)}), mode {mode.Name()}{(dispatcher.Workers > 0 ? ", " + dispatcher.Workers + " workers" : string.Empty)}; total elapsed {Format.Seconds(total)}");
            }
            if (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }
            return ok ? ExitCodes.Ok : ExitCodes.TransferFailed;
        }
        finally
        {
            if (downloads is not null)
            {
                try
                {
                    Directory.Delete(downloads, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>A result as one line; the server's message (and a name from a URL) escaped, as a peer wrote them.</summary>
    internal static string Describe(TransferResult r) => r.Verified
        ? $"{SafeText.Escape(r.Name)} -> {r.Server}: ok{(r.ResumedBytes > 0 ? ", resumed at " + Format.Number(r.ResumedBytes) + " of " + Format.Number(r.Bytes) + " bytes" : string.Empty)}, {Format.Bytes(r.Bytes)} in {Format.Seconds(r.Seconds)} ({Format.Rate(r.ThroughputBytesPerSecond)}), {Format.Number(r.DatagramsSent)} datagrams, {Format.Number(r.Retransmitted)} retransmitted, rtt {r.RttMicros / 1000.0:F2} ms, pid {r.ProcessId}, session 0x{r.SessionId:x16}"
        : $"{SafeText.Escape(r.Name)} -> {r.Server}: FAILED: {SafeText.Escape(r.Error)}";
}
