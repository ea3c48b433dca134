using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Udpx.Client;
using Udpx.Common;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Net;
using Udpx.Protocol;

namespace Udpx.Cli;

/// <summary>`udpx send`: download URLs, read local files, spread them over the servers and send them reliably.</summary>
internal static class SendVerb
{
    public static Command Create()
    {
        var files = TypedOption.Arguments("files", "Local files or folders to send (a folder: every regular file beneath it, under its relative path)", ArgumentArity.ZeroOrMore, OptionValues.Path);
        var urls = TypedOption.Many("--url", "-u", "HTTP(S) URL to download first and then send (repeatable)", OptionValues.HttpUrl);
        var to = TypedOption.Many("--to", "-t", "Server HOST:PORT (repeatable); file i goes to server i mod n", OptionValues.Connect);
        to.Required = true;
        var mode = TypedOption.Of("--mode", "-m", "process | thread | process-async | thread-async", OptionValues.Mode, () => ConcurrencyMode.Thread).Modes();
        var workers = TypedOption.Of("--workers", "-w", "Worker processes (process-async) or transfers in flight (thread-async); default: the core count", OptionValues.WholeNumber(1), () => Environment.ProcessorCount);
        var each = new Option<bool>("--each") { Description = "Send every file to every server" };
        var json = new Option<bool>("--json") { Description = "Print one JSON result document" };
        var headless = new Option<bool>("--headless") { Description = "Plain output even on a terminal (no TUI)" };
        var datagramSize = TypedOption.Of("--datagram-size", "-s", "UDP payload bytes per datagram: 1472 fits Ethernet; up to 65507 on loopback or jumbo links",
            OptionValues.WholeNumber(Wire.MinDatagramSize, Wire.MaxDatagramSize, " bytes"), () => Wire.EthernetDatagramSize);
        var rate = TypedOption.Of("--rate", null, "Fixed cap per transfer in bytes per second, e.g. 50M (default: none, the congestion control decides)", OptionValues.SendRate);
        var connectTimeout = TypedOption.Of("--connect-timeout", null, "How long to wait for a server to answer the handshake (seconds, or 500ms, 1min)", OptionValues.Timeout, () => TimeSpan.FromSeconds(5));
        var keyFile = TypedOption.Path("--key-file", null, "Authenticate every datagram with this pre-shared key (or set UDPX_KEY)");
        var encrypt = new Option<bool>("--encrypt") { Description = "Also encrypt the file bytes (AES-256-GCM); needs --key-file or UDPX_KEY" };
        var jobTimeout = TypedOption.Of("--job-timeout", null, "How long a single transfer may take, in every mode, before it fails (seconds)", OptionValues.Timeout, () => TimeSpan.FromSeconds(3600));
        var background = new Option<bool>("--background") { Description = "Yield to all other traffic on the path (a scavenger, after LEDBAT): for bulk copies that must not slow anyone down" };
        var together = new Option<bool>("--keep-folders-together") { Description = "Send every file of one folder argument to the same server (argument i to server i mod n)" };
        var idleTimeout = TypedOption.Of("--idle-timeout", null, "How long without newly acknowledged data before a transfer fails (seconds)", OptionValues.Timeout, () => TimeSpan.FromSeconds(15));

        var tftp = new Option<bool>("--tftp") { Description = "Write the files to TFTP servers (WRQ) instead of udpx ones; see --blksize, --windowsize" };
        var tftpOptions = new TftpClientOptions();
        var command = new Command("send", "Send files (and downloaded URLs) to one or more udpx servers under one of four concurrency modes")
        {
            files, urls, to, mode, workers, each, json, headless, datagramSize, rate, connectTimeout, jobTimeout, idleTimeout, keyFile, encrypt, together, tftp, background,
        };
        foreach (var option in tftpOptions.All)
        {
            command.Options.Add(option);
        }
        command.SetAction((result, cancellationToken) => RunAsync(
            new SendArguments(
                result.GetValue(files) ?? [],
                result.GetValue(urls) ?? [],
                [.. (result.GetValue(to) ?? []).Select(s => s.ToString())],
                result.GetValue(mode),
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
                result.GetValue(tftp) ? tftpOptions.Read(result, read: false) : null,
                result.GetValue(background)),
            cancellationToken));
        return command;
    }

    internal sealed record SendArguments(
        string[] Files, Uri[] Urls, string[] Servers, ConcurrencyMode Mode, int Workers, bool Each, bool Json, bool Headless,
        int DatagramSize, long Rate, TimeSpan ConnectTimeout, TimeSpan JobTimeout, string? KeyFile, bool Encrypt, TimeSpan IdleTimeout, bool KeepFoldersTogether = false, TftpTransferSettings? Tftp = null, bool Background = false);

    internal static async Task<int> RunAsync(SendArguments a, CancellationToken cancellationToken)
    {
        if (a.Files.Length == 0 && a.Urls.Length == 0)
        {
            throw new UserError(ExitCodes.Usage, "nothing to send: give files and/or --url URL");
        }
        foreach (string server in a.Servers)
        {
            try
            {
                ServerAddress.Resolve(server);
            }
            catch (ArgumentException ex)
            {
                throw new UserError(ExitCodes.NetworkError, "--to " + ex.Message);
            }
        }
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
        var downloadReports = new List<DownloadReport>();
        using var downloads = await DownloadFolder.FetchAsync(a.Urls, (url, file, seconds) =>
        {
            downloadReports.Add(new DownloadReport(url.ToString(), file.Name, file.Size, seconds));
            if (!a.Json)
            {
                output.WriteLine($"downloaded {SafeText.Escape(url.ToString())}: {Format.Number(file.Size)} bytes in {Format.Seconds(seconds)}");
            }
        }, cancellationToken).ConfigureAwait(false);
        sources.AddRange(downloads.Files);

        var settings = new TransferSettings { DatagramSize = a.DatagramSize, RateBytesPerSecond = a.Rate, ConnectTimeout = a.ConnectTimeout,
            IdleTimeout = a.IdleTimeout, JobTimeout = a.JobTimeout, Key = key, Encrypt = a.Encrypt, Tftp = a.Tftp, Background = a.Background };
        // Quitting the UI early cancels the transfers cleanly (Abort to the server).
        using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        TransferBatch batch;
        try
        {
            // The engine ends a transfer at its job timeout in every mode; a future that outlives that by
            // a margin (a wedged worker process) is given up as well.
            batch = TransferBatch.Start(sources, a.Servers, settings, a.Mode, a.Workers, a.JobTimeout + TimeSpan.FromSeconds(30), quit.Token, a.Each, a.KeepFoldersTogether);
        }
        catch (InvalidOperationException ex)
        {
            throw new UserError(ExitCodes.InputError, ex.Message);
        }
        if (!a.Json && !a.Headless && Ui.TerminalUi.IsInteractive)
        {
            // The UI holds the terminal until q.
            Ui.TerminalUi.RunSend(batch.Transfers, a.Mode, batch.Workers, quit);
        }
        var outcome = await batch.Completion.ConfigureAwait(false);
        double total = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Report(output, a, batch, outcome, downloadReports, tree, total);
        if (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        return outcome.AllVerified ? ExitCodes.Ok : ExitCodes.TransferFailed;
    }

    private static void Report(TextWriter output, SendArguments a, TransferBatch batch, BatchOutcome outcome, List<DownloadReport> downloads, SourceTree tree, double total)
    {
        var results = outcome.Results;
        if (a.Json)
        {
            var report = new SendReport(a.Mode.Name(), batch.Workers, Math.Round(total, 6), outcome.AllVerified, downloads, results, SendTotal.Of(results), tree.Skipped, tree.EmptyFolders);
            output.WriteLine(JsonSerializer.Serialize(report, CliJson.Default.SendReport));
            return;
        }
        SendOutput.WriteByFolder(output, results);
        long bytes = outcome.VerifiedBytes;
        double seconds = outcome.Seconds;
        // The "skipped:" lines came first and may have scrolled away: the last line says that not all was sent.
        int skipped = tree.Skipped.Count;
        string notSent = skipped == 0 ? string.Empty : $", {skipped} {(skipped == 1 ? "entry" : "entries")} skipped (listed above)";
        output.WriteLine($"{results.Count(r => r.Verified)}/{results.Count} transfers verified{notSent}, {Format.Bytes(bytes)} in {Format.Seconds(seconds)} ({Format.Rate(seconds > 0 ? bytes / seconds : 0)}), mode {a.Mode.Name()}{(batch.Workers > 0 ? ", " + batch.Workers + " workers" : string.Empty)}; total elapsed {Format.Seconds(total)}");
    }

    /// <summary>A result as one line; the server's message (and a name from a URL) escaped, as a peer wrote them.</summary>
    internal static string Describe(TransferResult r) => r.Verified
        ? $"{SafeText.Escape(r.Name)} -> {r.Server}: ok{(r.ResumedBytes > 0 ? ", resumed at " + Format.Number(r.ResumedBytes) + " of " + Format.Number(r.Bytes) + " bytes" : string.Empty)}, {Format.Bytes(r.Bytes)} in {Format.Seconds(r.Seconds)} ({Format.Rate(r.ThroughputBytesPerSecond)}), {Format.Number(r.DatagramsSent)} datagrams, {Format.Number(r.Retransmitted)} retransmitted, rtt {r.RttMicros / 1000.0:F2} ms, pid {r.ProcessId}, session 0x{r.SessionId:x16}"
        : $"{SafeText.Escape(r.Name)} -> {r.Server}: FAILED: {SafeText.Escape(r.Error)}";
}
