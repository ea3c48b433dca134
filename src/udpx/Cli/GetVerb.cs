using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Udpx.Common;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Net;

namespace Udpx.Cli;

/// <summary>
/// `udpx get --tftp HOST:PORT NAME... [--out DIR]`: reads files from a TFTP server (RRQ), each stored
/// in --out under its base name once complete, under the same four modes as send. A file already in
/// --out is refused before any transfer (exit 3) unless --overwrite, which replaces it by rename(2) only
/// once the new one is complete.
/// </summary>
internal static class GetVerb
{
    public static Command Create()
    {
        var names = new Argument<string[]>("names") { Description = "Names of the files on the server", Arity = ArgumentArity.OneOrMore };
        var tftp = TypedOption.Of("--tftp", null, "TFTP server HOST:PORT to read from (port 69 is TFTP's)", OptionValues.Connect);
        tftp.Required = true;
        var output = TypedOption.Path("--out", "-o", "Folder to store the files in (created if needed)", () => ".");
        var mode = TypedOption.Of("--mode", "-m", "process | thread | process-async | thread-async", OptionValues.Mode, () => ConcurrencyMode.Thread).Modes();
        var workers = TypedOption.Of("--workers", "-w", "Worker processes (process-async) or transfers in flight (thread-async); default: the core count", OptionValues.WholeNumber(1), () => Environment.ProcessorCount);
        var json = new Option<bool>("--json") { Description = "Print one JSON result document" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace files of the same name in --out (each only once its new copy is complete); default: refuse before any transfer" };
        var connectTimeout = TypedOption.Of("--connect-timeout", null, "How long to wait for the server to answer a request (seconds, or 500ms, 1min)", OptionValues.Timeout, () => TimeSpan.FromSeconds(5));
        var jobTimeout = TypedOption.Of("--job-timeout", null, "How long a single transfer may take before it fails (seconds)", OptionValues.Timeout, () => TimeSpan.FromSeconds(3600));
        var tftpOptions = new TftpClientOptions();
        var command = new Command("get", "Read files from a TFTP server (RRQ) under one of four concurrency modes")
        {
            names, tftp, output, mode, workers, json, overwrite, connectTimeout, jobTimeout,
        };
        foreach (var option in tftpOptions.All)
        {
            command.Options.Add(option);
        }
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(names) ?? [], result.GetValue(tftp)!.ToString(), result.GetValue(output)!, result.GetValue(mode), result.GetValue(workers), result.GetValue(json),
            result.GetValue(connectTimeout), result.GetValue(jobTimeout), tftpOptions.Read(result, read: true) with { Overwrite = result.GetValue(overwrite) }, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string[] names, string server, string folder, ConcurrencyMode mode, int workers, bool json, TimeSpan connectTimeout, TimeSpan jobTimeout, TftpTransferSettings tftp, CancellationToken cancellationToken)
    {
        try
        {
            ServerAddress.Resolve(server);
        }
        catch (ArgumentException ex)
        {
            throw new UserError(ExitCodes.NetworkError, "--tftp " + ex.Message);
        }
        CheckWritable(folder);
        var settings = new TransferSettings { ConnectTimeout = connectTimeout, JobTimeout = jobTimeout, Tftp = tftp };
        var handles = new List<TransferHandle>();
        var local = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            string baseName = Path.GetFileName(names[i].Replace('\\', '/'));
            if (baseName.Length == 0 || baseName is "." or ".." || !local.Add(baseName))
            {
                throw new UserError(ExitCodes.Usage, "'" + names[i] + "': each name needs a distinct file name to be stored under");
            }
            string destination = Path.GetFullPath(Path.Combine(folder, baseName));
            // --overwrite renames over a file only: a folder there failed after the whole download.
            if (RegularFile.NotRegular(destination) is { } kind)
            {
                throw new UserError(ExitCodes.InputError, "cannot store '" + baseName + "' in '" + folder + "': a " + kind + " of that name is there");
            }
            if (!tftp.Overwrite && Path.Exists(destination))
            {
                throw new UserError(ExitCodes.InputError, Tftp.TftpClient.AlreadyExists(destination));
            }
            handles.Add(new TransferHandle(new TransferJob(i, destination, names[i], server, settings)));
        }
        ITransferDispatcher dispatcher;
        try
        {
            dispatcher = DispatcherFactory.Create(mode, workers, jobTimeout + TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException ex)
        {
            throw new UserError(ExitCodes.InputError, ex.Message);
        }
        long started = Stopwatch.GetTimestamp();
        await dispatcher.RunAsync(handles, cancellationToken).ConfigureAwait(false);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var results = handles.Select(h => h.Result ?? JobFutures.Failed(h.Job, "no result")).ToList();
        bool ok = results.All(r => r.Verified);
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new SendReport(mode.Name(), dispatcher.Workers, Math.Round(seconds, 6), ok, [], results), CliJson.Default.SendReport));
        }
        else
        {
            foreach (var r in results)
            {
                Console.Out.WriteLine(r.Verified
                    ? $"{SafeText.Escape(r.Name)} <- {r.Server}: ok, {Format.Bytes(r.Bytes)} in {Format.Seconds(r.Seconds)} ({Format.Rate(r.ThroughputBytesPerSecond)}), {Format.Number(r.DatagramsSent)} packets sent, {Format.Number(r.Retransmitted)} repeated, pid {r.ProcessId}"
                    : $"{SafeText.Escape(r.Name)} <- {r.Server}: FAILED: {SafeText.Escape(r.Error)}");
            }
            long bytes = results.Where(r => r.Verified).Sum(r => r.Bytes);
            Console.Out.WriteLine($"{results.Count(r => r.Verified)}/{results.Count} files received, {Format.Bytes(bytes)} in {Format.Seconds(seconds)} ({Format.Rate(seconds > 0 ? bytes / seconds : 0)}), mode {mode.Name()}");
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        return ok ? ExitCodes.Ok : results.Any(r => r.LocalWriteFailed) ? ExitCodes.InputError : ExitCodes.TransferFailed;
    }

    /// <summary>
    /// --out made and written to once, before any request: a folder that refuses its files is the user's to fix
    /// (exit 3), not a transfer that failed after the server had been asked. Creating a file is the only test
    /// that knows what the kernel will say (permissions, ACLs, a read-only mount, no free inode).
    /// </summary>
    private static void CheckWritable(string folder)
    {
        string? reason = null;
        if (Path.Exists(folder) && !Directory.Exists(folder))
        {
            reason = "not a folder";
        }
        else
        {
            try
            {
                Directory.CreateDirectory(folder);
                string probe = Path.Combine(folder, ".udpx-get-" + Guid.NewGuid().ToString("N")[..12] + ".udpx-part");
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                reason = LocalWriteError.Reason(ex);
            }
        }
        if (reason is not null)
        {
            throw new UserError(ExitCodes.InputError, "cannot write to output folder '" + folder + "': " + reason);
        }
    }
}
