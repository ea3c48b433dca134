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

    public Option<string?> Tftp { get; } = new("--tftp")
    {
        Description = "Also serve TFTP (RFC 1350, 2347-2349, 7440) on ADDR[:PORT] (default port 69; --tftp alone: 0.0.0.0:69)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<bool> Write { get; } = new("--tftp-write") { Description = "Accept TFTP write requests into --out (default: refuse them with error 2)" };

    public Option<string?> Share { get; } = new("--share") { Description = "Folder TFTP read requests are served from (default: --out)" };

    public IEnumerable<Option> All => [Tftp, Write, Share];

    /// <summary>What the command line asked for; null when --tftp was not given.</summary>
    public Settings? Read(ParseResult result)
    {
        if (result.GetResult(Tftp) is null)
        {
            return null;
        }
        return new Settings(ParseAddress(result.GetValue(Tftp)), result.GetValue(Write), result.GetValue(Share));
    }

    /// <summary>ADDR, ADDR:PORT, [V6]:PORT, :PORT or nothing.</summary>
    public static IPEndPoint ParseAddress(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new IPEndPoint(IPAddress.Any, DefaultPort);
        }
        text = text.Trim();
        if (IPAddress.TryParse(text, out var bare) && !text.StartsWith('['))
        {
            return new IPEndPoint(bare, DefaultPort);
        }
        if (text.StartsWith(':') && int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int onlyPort) && onlyPort is > 0 and <= 65535)
        {
            return new IPEndPoint(IPAddress.Any, onlyPort);
        }
        if (Net.ServerAddress.TryParse(text, out string host, out int port, out _, allowPortZero: true) && IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }
        throw new UserError(ExitCodes.Usage, "--tftp '" + text + "': give an IP address to listen on, with or without a port, such as 0.0.0.0 or 127.0.0.1:6969");
    }

    internal sealed record Settings(IPEndPoint Bind, bool AllowWrite, string? Share)
    {
        /// <summary>
        /// Binds the TFTP port and starts serving, writes going into the udpx server's <paramref name="store"/>;
        /// one clear line and exit 3 or 4 when it cannot.
        /// </summary>
        public TftpServer Start(DirectoryFileStore store, ServerOptions udpx, TftpConsoleObserver observer)
        {
            string outFolder = store.Directory;
            string share = Share ?? outFolder;
            if (!Directory.Exists(share))
            {
                throw new UserError(ExitCodes.InputError, "--share '" + share + "': no such folder");
            }
            var folder = new TftpFolder(share, store, udpx.MinFree);
            var options = new TftpServerOptions { AllowWrite = AllowWrite, MaxSessions = udpx.MaxSessions, MaxFileSize = udpx.MaxFileSize, Linger = udpx.Linger };
            TftpServer server;
            try
            {
                server = TftpServer.Start(Bind, options, folder, observer);
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
            observer.Listening(server.LocalEndPoint.ToString(), folder.ShareDirectory, AllowWrite ? "writes into " + outFolder : "writes refused (--tftp-write enables them)");
            return server;
        }
    }
}
