using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Udpx.Common;
using Udpx.Server;
using Udpx.Tftp;

namespace Udpx.Cli;

/// <summary>
/// The TFTP flags of `udpx serve` (--tftp [ADDR[:PORT]], --tftp-write, --share DIR) and the listener
/// they start beside the udpx one, in the same process.
/// </summary>
internal sealed class ServeTftpOptions
{
    public const int DefaultPort = 69;

    public ServeTftpOptions()
    {
        Tftp = TypedOption.Of<IPEndPoint?>("--tftp", null, "Also serve TFTP (RFC 1350, 2347-2349, 7440) on ADDR[:PORT] (default port 69; --tftp alone: 0.0.0.0:69)", TryParseAddress);
        Tftp.Arity = ArgumentArity.ZeroOrOne;
    }

    /// <summary>Null with --tftp alone.</summary>
    public Option<IPEndPoint?> Tftp { get; }

    public Option<bool> Write { get; } = new("--tftp-write") { Description = "Accept TFTP write requests into --out (default: refuse them with error 2)" };

    public Option<string> Share { get; } = TypedOption.Path("--share", null, "Folder TFTP read requests are served from (default: --out)");

    /// <summary>Adds the flags to `serve`; --tftp-write and --share without --tftp are a usage error, not ignored.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Tftp);
        command.Options.Add(Write);
        command.Options.Add(Share);
        command.Validators.Add(result =>
        {
            if (result.GetResult(Tftp) is not null)
            {
                return;
            }
            foreach (var option in (Option[])[Write, Share])
            {
                if (result.GetResult(option) is { Implicit: false })
                {
                    result.AddError(option.Name + " is for the TFTP listener: add --tftp [ADDR[:PORT]]");
                    return;
                }
            }
        });
    }

    /// <summary>What the command line asked for; null when --tftp was not given.</summary>
    public Settings? Read(ParseResult result)
    {
        if (result.GetResult(Tftp) is null)
        {
            return null;
        }
        return new Settings(result.GetValue(Tftp) ?? new IPEndPoint(IPAddress.Any, DefaultPort), result.GetValue(Write), result.GetValue(Share));
    }

    /// <summary>ADDR, ADDR:PORT, [V6]:PORT or :PORT.</summary>
    public static bool TryParseAddress(string text, out IPEndPoint? address, out string error)
    {
        error = "expects an IP address to listen on, with or without a port, such as 0.0.0.0 or 127.0.0.1:6969, got '" + text + "'";
        address = null;
        string t = text.Trim();
        if (IPAddress.TryParse(t, out var bare) && !t.StartsWith('['))
        {
            address = new IPEndPoint(bare, DefaultPort);
        }
        else if (t.StartsWith(':') && int.TryParse(t.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int onlyPort) && onlyPort is > 0 and <= 65535)
        {
            address = new IPEndPoint(IPAddress.Any, onlyPort);
        }
        else if (Net.ServerAddress.TryParse(t, out string host, out int port, out _, allowPortZero: true) && IPAddress.TryParse(host, out var ip))
        {
            address = new IPEndPoint(ip, port);
        }
        return address is not null;
    }

    internal sealed record Settings(IPEndPoint Bind, bool AllowWrite, string? Share)
    {
        /// <summary>
        /// Checks --share and binds the TFTP port, before the udpx port is bound and anything is made or announced
        /// ("listening on ..." came before "TFTP port 69 is already in use"); one line and exit 3 or 4 when it cannot.
        /// </summary>
        public Socket Open()
        {
            if (Share is not null && !Directory.Exists(Share))
            {
                throw new UserError(ExitCodes.InputError, "--share '" + Share + "': " + (Path.Exists(Share) ? "not a folder" : "no such folder"));
            }
            try
            {
                return TftpServer.Bind(Bind);
            }
            catch (SocketException ex)
            {
                throw new UserError(ExitCodes.NetworkError, ex.SocketErrorCode switch
                {
                    SocketError.AddressAlreadyInUse => "TFTP port " + Bind.Port + " is already in use on " + Bind.Address + " (another TFTP server?); pick another with --tftp ADDR:PORT",
                    SocketError.AddressNotAvailable => "cannot serve TFTP on " + Bind + ": no such address on this host",
                    SocketError.AccessDenied => "not allowed to serve TFTP on " + Bind + " (ports below 1024, such as 69, need root)",
                    _ => "cannot serve TFTP on " + Bind + ": " + ex.Message,
                });
            }
        }

        /// <summary>
        /// Serves on the socket <see cref="Open"/> bound (the server owns it from here), writes going into the udpx
        /// server's <paramref name="store"/>; without --share, reads from --out, which exists by now.
        /// </summary>
        public TftpServer Start(Socket socket, DirectoryFileStore store, ServerOptions udpx, TftpConsoleObserver observer)
        {
            string outFolder = store.Directory;
            string share = Share ?? outFolder;
            TftpFolder folder;
            try
            {
                folder = new TftpFolder(share, store, udpx.MinFree);
            }
            catch (DirectoryNotFoundException)
            {
                socket.Dispose();
                throw new UserError(ExitCodes.InputError, "--share '" + share + "': no such folder");
            }
            var options = new TftpServerOptions { AllowWrite = AllowWrite, MaxSessions = udpx.MaxSessions, MaxFileSize = udpx.MaxFileSize, Linger = udpx.Linger };
            var server = TftpServer.Start(socket, options, folder, observer);
            observer.Listening(server.LocalEndPoint.ToString(), folder.ShareDirectory, AllowWrite ? "writes into " + outFolder : "writes refused (--tftp-write enables them)");
            return server;
        }
    }
}
