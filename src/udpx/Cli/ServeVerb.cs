using System.CommandLine;
using System.Net.Sockets;
using Udpx.Common;
using Udpx.Server;

namespace Udpx.Cli;

/// <summary>`udpx serve`: receive many concurrent transfers, verify them, store them, show every stream.</summary>
internal static class ServeVerb
{
    public static Command Create()
    {
        var bind = new Option<string>("--bind", "-b") { Description = "Address and port to listen on (ADDR:PORT, :PORT or PORT)", DefaultValueFactory = _ => "0.0.0.0:" + Endpoints.DefaultPort };
        var output = new Option<string>("--out", "-o") { Description = "Folder where received files are stored (created if needed)", DefaultValueFactory = _ => DefaultFolder };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace a file that already has the sent name (default: refuse the transfer)" };
        var allowHidden = new Option<bool>("--allow-hidden") { Description = "Accept names starting with \".\" (default: refuse them)" };
        var json = new Option<bool>("--json") { Description = "Print JSON lines instead of text" };
        var headless = new Option<bool>("--headless") { Description = "Plain output even on a terminal (no TUI)" };
        var verbosity = new Option<string>("--verbosity", "-v") { Description = "quiet | normal | stream (a line per stream each second) | datagram (a line per datagram)", DefaultValueFactory = _ => "normal" };
        var maxSessions = new Option<int>("--max-sessions") { Description = "Most transfers received at once", DefaultValueFactory = _ => 256 };
        var maxSize = new Option<string>("--max-file-size") { Description = "Largest file accepted (e.g. 500M, 2T)", DefaultValueFactory = _ => "64G" };
        var minFree = new Option<string>("--min-free") { Description = "Free space an accepted file must leave on the output filesystem: a size (2G) or a share (10%); default: 1G or 5%, whichever is smaller; 0 for none" };
        var perHost = new Option<int>("--max-sessions-per-host") { Description = "Most transfers received at once from one address", DefaultValueFactory = _ => 64 };
        var reservedPerHost = new Option<string>("--max-reserved-per-host") { Description = "Most bytes one address's transfers in progress may offer together", DefaultValueFactory = _ => "128G" };
        var keyFile = new Option<string>("--key-file") { Description = "Accept only datagrams authenticated with this pre-shared key (or set UDPX_KEY)" };
        var keepPartial = new Option<string>("--keep-partial") { Description = "How long the partial file of a cut transfer is kept for a resume: 90s, 30m, 24h, 7d; 0 keeps none", DefaultValueFactory = _ => "24h" };
        var tftp = new ServeTftpOptions();
        var idle = new Option<double>("--idle-timeout") { Description = "Seconds without a datagram before a transfer is abandoned", DefaultValueFactory = _ => 30 };
        var receiveThreads = new Option<int>("--receive-threads") { Description = "Receive threads, each with its own socket on --bind (SO_REUSEPORT); the kernel keeps each client on one (default: " + ServerOptions.ServeReceiveThreadsRule + ")", DefaultValueFactory = _ => ServerOptions.ServeReceiveThreads };

        var command = new Command("serve", "Receive files: many clients, many concurrent transfers, each verified before it is stored")
        {
            bind, output, overwrite, allowHidden, json, headless, verbosity, maxSessions, maxSize, minFree, perHost, reservedPerHost, idle, keyFile, receiveThreads, keepPartial,
        };
        foreach (var option in tftp.All)
        {
            command.Options.Add(option);
        }
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(bind), result.GetValue(output)!, result.GetValue(overwrite), result.GetValue(allowHidden), result.GetValue(json), result.GetValue(headless),
            result.GetValue(verbosity)!, result.GetValue(maxSessions), result.GetValue(maxSize), result.GetValue(idle), result.GetValue(keyFile),
            ParseLimits(result.GetValue(minFree), result.GetValue(perHost), result.GetValue(reservedPerHost)) with { ReceiveThreads = CheckReceiveThreads(result.GetValue(receiveThreads)), KeepPartial = ParseKeepPartial(result.GetValue(keepPartial)) },
            tftp.Read(result), cancellationToken));
        return command;
    }

    /// <summary>
    /// Without --out, files go into a folder of their own, as tftp-hpa serves one folder: started in a
    /// home folder, `udpx serve` must not be a way to write beside .bashrc.
    /// </summary>
    public const string DefaultFolder = "udpx-received";
    /// <summary>--keep-partial: a number of seconds, or one with a unit s, m, h or d.</summary>
    internal static TimeSpan ParseKeepPartial(string? text)
    {
        string value = (text ?? "24h").Trim();
        double unit = value.Length == 0 ? 1 : value[^1] switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        string number = unit == 0 ? value : value[..^1];
        if (!double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double amount) || amount < 0 || amount * (unit == 0 ? 1 : unit) > TimeSpan.FromDays(3650).TotalSeconds)
        {
            throw new UserError(ExitCodes.Usage, "--keep-partial '" + text + "': use a duration such as 90s, 30m, 24h or 7d (0 keeps none)");
        }
        return TimeSpan.FromSeconds(amount * (unit == 0 ? 1 : unit));
    }

    private static int CheckReceiveThreads(int threads)
    {
        if (threads is < 1 or > 64)
        {
            throw new UserError(ExitCodes.Usage, "--receive-threads must be 1 to 64");
        }
        if (threads > 1 && !ReusePort.IsSupported)
        {
            throw new UserError(ExitCodes.Usage, "--receive-threads above 1 needs SO_REUSEPORT (Linux); use 1 here");
        }
        return threads;
    }

    /// <summary>The resource limits beyond --max-sessions and --max-file-size, checked at the edge.</summary>
    private static ServerOptions ParseLimits(string? minFreeText, int perHost, string? reservedText)
    {
        var minFree = DiskReserve.Default;
        if (minFreeText is not null)
        {
            string text = minFreeText.Trim();
            if (text.EndsWith('%'))
            {
                if (!double.TryParse(text[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double percent) || percent is < 0 or > 100)
                {
                    throw new UserError(ExitCodes.Usage, "--min-free '" + minFreeText + "': use a share from 0% to 100%, or a size such as 2G");
                }
                minFree = DiskReserve.OfPercent(percent);
            }
            else if (Units.TryParseBytes(text, out long bytes))
            {
                minFree = DiskReserve.OfBytes(bytes);
            }
            else
            {
                throw new UserError(ExitCodes.Usage, "--min-free '" + minFreeText + "': use a size such as 2G or a share such as 10%");
            }
        }
        if (perHost < 1)
        {
            throw new UserError(ExitCodes.Usage, "--max-sessions-per-host must be at least 1");
        }
        if (reservedText is null || !Units.TryParseBytes(reservedText, out long reserved))
        {
            throw new UserError(ExitCodes.Usage, "--max-reserved-per-host '" + reservedText + "': use a size such as 500G");
        }
        return new ServerOptions { MinFree = minFree, MaxSessionsPerHost = perHost, MaxReservedPerHost = reserved };
    }

    private static async Task<int> RunAsync(string? bindText, string folder, bool overwrite, bool allowHidden, bool json, bool headless, string verbosityText, int maxSessions, string? maxSizeText, double idleSeconds, string? keyFile, ServerOptions limits, ServeTftpOptions.Settings? tftp, CancellationToken cancellationToken)
    {
        var bind = Endpoints.ParseBind(bindText);
        if (!Enum.TryParse<Verbosity>(verbosityText, ignoreCase: true, out var verbosity) || !Enum.IsDefined(verbosity))
        {
            throw new UserError(ExitCodes.Usage, "--verbosity '" + verbosityText + "': use quiet, normal, stream or datagram");
        }
        if (maxSizeText is null || !Units.TryParseBytes(maxSizeText, out long maxSize))
        {
            throw new UserError(ExitCodes.Usage, "--max-file-size '" + maxSizeText + "': use a size such as 500M or 10G");
        }
        if (maxSessions < 1)
        {
            throw new UserError(ExitCodes.Usage, "--max-sessions must be at least 1");
        }
        if (idleSeconds <= 0)
        {
            throw new UserError(ExitCodes.Usage, "--idle-timeout must be more than 0 seconds");
        }
        var key = KeyOption.Load(keyFile);
        var options = limits with
        {
            MaxSessions = maxSessions,
            MaxFileSize = maxSize,
            IdleTimeout = TimeSpan.FromSeconds(idleSeconds),
            Key = key,
            Overwrite = overwrite,
            AllowHidden = allowHidden,
        };
        bool created = !Directory.Exists(folder);
        var observer = new ServerConsoleObserver(Console.Out, json, verbosity);

        ServerHost host;
        try
        {
            host = ServerHost.Start(bind, folder, options, observer);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserError(ExitCodes.InputError, "cannot write to output folder '" + folder + "': " + ex.Message);
        }
        catch (SocketException ex)
        {
            throw new UserError(ExitCodes.NetworkError, ex.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "port " + bind.Port + " is already in use on " + bind.Address + " (another udpx serve?); pick another with --bind",
                SocketError.AddressNotAvailable => "cannot listen on " + bind + ": no such address on this host",
                SocketError.AccessDenied => "not allowed to listen on " + bind + " (ports below 1024 need root)",
                _ => "cannot listen on " + bind + ": " + ex.Message,
            });
        }

        using (host)
        {
            if (host.Server.BufferWarning is { } warning)
            {
                Console.Error.WriteLine("udpx serve: warning: " + warning);
            }
            string storage = host.Store.Directory
                + (created ? " (created)" : string.Empty)
                + (overwrite ? ", replacing existing files" : ", never replacing existing files")
                + (allowHidden ? ", hidden names accepted" : string.Empty)
                + (host.Servers.Count > 1 ? ", " + host.Servers.Count + " receive threads" : string.Empty);
            observer.Listening(host.EndPoint.ToString(), storage + (key is null ? string.Empty : ", datagrams authenticated with the key from " + key.Source));
            // Under the TUI the TFTP lines would write over the screen: they go to the headless and JSON output only.
            bool tui = !headless && !json && Ui.TerminalUi.IsInteractive;
            using var tftpServer = tftp?.Start(folder, options, new TftpConsoleObserver(tui ? TextWriter.Null : Console.Out, json, verbosity));
            if (!headless && !json && Ui.TerminalUi.IsInteractive)
            {
                using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                observer.Silence();
                Ui.TerminalUi.RunServer(host.Shards, quit, "udpx serve on " + host.EndPoint + " into " + host.Store.Directory);
                return ExitCodes.Ok;
            }
            await ReportStreamsAsync(host.Shards, observer, verbosity, cancellationToken).ConfigureAwait(false);
        }
        return ExitCodes.Ok;
    }

    /// <summary>Waits for Ctrl-C; with verbosity "stream", prints a line per active stream every second.</summary>
    private static async Task ReportStreamsAsync(ServerShards protocol, ServerConsoleObserver observer, Verbosity verbosity, CancellationToken cancellationToken)
    {
        var previous = new Dictionary<ulong, long>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (verbosity < Verbosity.Stream)
                {
                    continue;
                }
                foreach (var session in protocol.Sessions)
                {
                    if (session.State != SessionState.Receiving)
                    {
                        continue;
                    }
                    long bytes = session.BytesReceived;
                    previous.TryGetValue(session.Id, out long before);
                    previous[session.Id] = bytes;
                    observer.StreamProgress(session, bytes - before);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
