using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Udpx.Common;
using Udpx.Server;

namespace Udpx.Cli;

/// <summary>`udpx serve`: receive many concurrent transfers, verify them, store them, show every stream.</summary>
internal static class ServeVerb
{
    public static Command Create()
    {
        var bind = TypedOption.Of("--bind", "-b", "Address and port to listen on (ADDR:PORT, :PORT or PORT)", OptionValues.Bind, () => new IPEndPoint(IPAddress.Any, DefaultPort));
        var output = TypedOption.Path("--out", "-o", "Folder where received files are stored (created if needed)", () => DefaultFolder);
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace a file that already has the sent name (default: refuse the transfer)" };
        var allowHidden = new Option<bool>("--allow-hidden") { Description = "Accept names starting with \".\" (default: refuse them)" };
        var json = new Option<bool>("--json") { Description = "Print JSON lines instead of text" };
        var headless = new Option<bool>("--headless") { Description = "Plain output even on a terminal (no TUI)" };
        var verbosity = TypedOption.Of("--verbosity", "-v", "quiet | normal | stream (a line per stream each second) | datagram (a line per datagram)", ReadVerbosity, () => Verbosity.Normal);
        var maxSessions = TypedOption.Of("--max-sessions", null, "Most transfers received at once", OptionValues.WholeNumber(1), () => 256);
        var maxSize = TypedOption.Of("--max-file-size", null, "Largest file accepted (e.g. 500M, 2T)", OptionValues.Size, () => 64_000_000_000);
        var minFree = TypedOption.Of("--min-free", null, "Free space an accepted file must leave on the output filesystem: a size (2G) or a share (10%); default: 1G or 5%, whichever is smaller; 0 for none", ReadReserve, () => DiskReserve.Default);
        var perHost = TypedOption.Of("--max-sessions-per-host", null, "Most transfers received at once from one address", OptionValues.WholeNumber(1), () => 64);
        var reservedPerHost = TypedOption.Of("--max-reserved-per-host", null, "Most bytes one address's transfers in progress may offer together", OptionValues.Size, () => 128_000_000_000);
        var keyFile = TypedOption.Path("--key-file", null, "Accept only datagrams authenticated with this pre-shared key (or set UDPX_KEY)");
        var keepPartial = TypedOption.Of("--keep-partial", null, "How long the partial file of a cut transfer is kept for a resume: 90s, 30min, 24h, 7d; 0 keeps none", OptionValues.Interval, () => TimeSpan.FromHours(24));
        var onFile = TypedOption.Of<HookCommand?>("--on-file", null, "Run CMD once per stored file, without a shell: CMD's words (split as docs/hook.md says), then the stored file's absolute path; size, sender, digest and session in UDPX_* variables", ReadHook);
        var onFileTimeout = TypedOption.Of("--on-file-timeout", null, "How long one run of the --on-file command may take before it and its children are killed (seconds)", OptionValues.Timeout, () => TimeSpan.FromSeconds(60));
        var tftp = new ServeTftpOptions();
        var idle = TypedOption.Of("--idle-timeout", null, "How long without a datagram before a transfer is abandoned (seconds)", OptionValues.Timeout, () => TimeSpan.FromSeconds(30));
        var receiveThreads = TypedOption.Of("--receive-threads", null, "Receive threads, each with its own socket on --bind (SO_REUSEPORT); the kernel keeps each client on one (default: " + ServerOptions.ServeReceiveThreadsRule + ")", OptionValues.WholeNumber(1, 64), () => ServerOptions.ServeReceiveThreads);

        var command = new Command("serve", "Receive files: many clients, many concurrent transfers, each verified before it is stored")
        {
            bind, output, overwrite, allowHidden, json, headless, verbosity, maxSessions, maxSize, minFree, perHost, reservedPerHost, idle, keyFile, receiveThreads, keepPartial, onFile, onFileTimeout,
        };
        tftp.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(bind)!, result.GetValue(output)!, result.GetValue(json), result.GetValue(headless), result.GetValue(verbosity),
            new ServerOptions
            {
                MaxSessions = result.GetValue(maxSessions),
                MaxFileSize = result.GetValue(maxSize),
                IdleTimeout = result.GetValue(idle),
                Overwrite = result.GetValue(overwrite),
                AllowHidden = result.GetValue(allowHidden),
                MinFree = result.GetValue(minFree),
                MaxSessionsPerHost = result.GetValue(perHost),
                MaxReservedPerHost = result.GetValue(reservedPerHost),
                ReceiveThreads = CheckReceiveThreads(result.GetValue(receiveThreads)),
                KeepPartial = result.GetValue(keepPartial),
                OnFile = result.GetValue(onFile),
                OnFileTimeout = result.GetValue(onFileTimeout),
            },
            result.GetValue(keyFile), tftp.Read(result), cancellationToken));
        return command;
    }

    /// <summary>
    /// Without --out, files go into a folder of their own, as tftp-hpa serves one folder: started in a
    /// home folder, `udpx serve` must not be a way to write beside .bashrc.
    /// </summary>
    public const string DefaultFolder = "udpx-received";
    public const int DefaultPort = 9000;

    private static int CheckReceiveThreads(int threads)
    {
        if (threads > 1 && !ReusePort.IsSupported)
        {
            throw new UserError(ExitCodes.Usage, "--receive-threads above 1 needs SO_REUSEPORT (Linux); use 1 here");
        }
        return threads;
    }

    /// <summary>--min-free: a share ("10%") or a size ("2G", "0").</summary>
    private static bool ReadReserve(string text, out DiskReserve reserve, out string error)
    {
        reserve = DiskReserve.Default;
        if (text.Trim().EndsWith('%'))
        {
            bool share = PercentText.TryParse(text, out double percent, out error);
            reserve = DiskReserve.OfPercent(percent);
            return share;
        }
        bool size = SizeText.TryParse(text, out long bytes, out error);
        reserve = DiskReserve.OfBytes(bytes);
        error = "'" + text + "': use a size such as 2G or a share such as 10%";
        return size;
    }

    /// <summary>--on-file: split as <see cref="HookCommand"/> says, and the program must be there and executable now.</summary>
    private static bool ReadHook(string text, out HookCommand? command, out string error)
    {
        if (!HookCommand.TryParse(text, out command, out error))
        {
            error = "'" + text + "': " + error;
            return false;
        }
        if (command!.Resolve() is null)
        {
            error = "'" + text + "': no executable program '" + command.Program + "'" + (command.Program.Contains('/') ? string.Empty : " in PATH");
            return false;
        }
        return true;
    }

    private static bool ReadVerbosity(string text, out Verbosity verbosity, out string error)
    {
        error = "'" + text + "': use quiet, normal, stream or datagram";
        return Enum.TryParse(text, ignoreCase: true, out verbosity) && Enum.IsDefined(verbosity) && !int.TryParse(text, out _);
    }

    private static async Task<int> RunAsync(IPEndPoint bind, string folder, bool json, bool headless, Verbosity verbosity, ServerOptions limits, string? keyFile, ServeTftpOptions.Settings? tftp, CancellationToken cancellationToken)
    {
        var key = KeyOption.Load(keyFile);
        var options = limits with { Key = key };
        bool overwrite = options.Overwrite;
        bool allowHidden = options.AllowHidden;
        bool created = !Directory.Exists(folder);
        var observer = new ServerConsoleObserver(Console.Out, json, verbosity);

        // Every check and every port before anything is made or announced: the TFTP port and --share first, then
        // the udpx port, and only then the folder.
        var tftpSocket = tftp?.Open();
        ServerHost host;
        try
        {
            host = StartHost(bind, folder, options, observer);
        }
        catch
        {
            tftpSocket?.Dispose();
            throw;
        }

        using (host)
        {
            if (host.Server.BufferWarning is { } warning)
            {
                Console.Error.WriteLine("udpx serve: warning: " + warning);
            }
            observer.Listening(new ServeListening(
                host.EndPoint.ToString(), host.Store.Directory, created, overwrite, allowHidden, host.Servers.Count,
                options.OnFile?.Text, options.OnFile is null ? null : options.OnFileTimeout, key?.Source));
            // Under the TUI the TFTP lines would write over the screen: the TUI lists the transfers instead.
            bool tui = !headless && !json && Ui.TerminalUi.IsInteractive;
            using var tftpServer = tftpSocket is null ? null : tftp!.Start(tftpSocket, host.Store, options, new TftpConsoleObserver(tui ? TextWriter.Null : Console.Out, json, verbosity));
            if (tui)
            {
                using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                observer.Silence();
                Ui.TerminalUi.RunServer(host.Shards, quit, "udpx serve on " + host.EndPoint + " into " + host.Store.Directory, tftpServer);
                return ExitCodes.Ok;
            }
            await ReportStreamsAsync(host.Shards, observer, verbosity, cancellationToken).ConfigureAwait(false);
        }
        return ExitCodes.Ok;
    }

    /// <summary>The udpx listener and its folder; one line and exit 3 or 4 when it cannot start.</summary>
    private static ServerHost StartHost(IPEndPoint bind, string folder, ServerOptions options, ServerConsoleObserver observer)
    {
        try
        {
            return ServerHost.Start(bind, folder, options, observer);
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
