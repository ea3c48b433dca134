using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Udpx.Tests.Support;
using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>
/// tftpd-hpa (writes with --create) or atftpd on 127.0.0.1 (or an address inside a network namespace),
/// serving a folder of its own, started in the foreground and killed on dispose. Ready once it answers a
/// probe request (in a namespace: once ss(8) there shows its port bound).
/// </summary>
internal sealed class StockServer : IDisposable
{
    private readonly Process _process;
    private readonly TempFolder _folder = new();

    private StockServer(string kind, string? netns, string host, int port)
    {
        Kind = kind;
        Netns = netns;
        Host = host;
        Port = port;
        Directory.CreateDirectory(Root);
        // The servers drop to another user or check "world" permissions: an open folder works for both.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Root, (UnixFileMode)0b111_111_111);
        }
        _process = kind == "tftpd-hpa"
            ? StockTool.StartIn(netns, "in.tftpd-hpa", "-L", "-s", "-c", "-u", "root", "-p", "-a", Address, Root)
            : StockTool.StartIn(netns, "atftpd", "--daemon", "--no-fork", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind-address", host, "--user", "root", "--group", "root", "--logfile", "/dev/null", Root);
    }

    public string Kind { get; }

    public string? Netns { get; }

    public string Host { get; }

    public int Port { get; }

    public string Root => _folder.File("root");

    public string Address => Host + ":" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The program a kind needs (tftpd-hpa's in.tftpd is unpacked under its own name by .ci/run, beside atftpd's).</summary>
    public static string Program(string kind) => kind == "tftpd-hpa" ? "in.tftpd-hpa" : "atftpd";

    public static StockServer Start(string kind) => Start(kind, null, "127.0.0.1", Udpx.Bench.Peers.FreePort.Udp());

    /// <summary>The server on <paramref name="host"/>:<paramref name="port"/>, inside network namespace <paramref name="netns"/> when given.</summary>
    public static StockServer Start(string kind, string? netns, string host, int port)
    {
        var server = new StockServer(kind, netns, host, port);
        try
        {
            if (netns is null)
            {
                server.WaitUntilAnswering(TimeSpan.FromSeconds(10));
            }
            else
            {
                server.WaitUntilBound(TimeSpan.FromSeconds(10));
            }
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private void WaitUntilAnswering(TimeSpan limit)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var probe = new byte[64];
        int length = TftpCodec.WriteRequest(probe, TftpOpcode.ReadRequest, "udpx-probe-no-such-file", TftpMode.Octet, []);
        var buffer = new byte[1024];
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(Kind + " exited with " + _process.ExitCode + " at start");
            }
            socket.SendTo(probe.AsSpan(0, length), new IPEndPoint(IPAddress.Loopback, Port));
            if (socket.Poll(200_000, SelectMode.SelectRead))
            {
                try
                {
                    socket.Receive(buffer);
                    return;
                }
                catch (SocketException)
                {
                    // Port unreachable: not bound yet.
                }
            }
        }
        throw new TimeoutException(Kind + " did not answer on port " + Port + " within " + limit);
    }

    /// <summary>In a namespace a probe from this process cannot reach it: wait until ss(8) there lists the port.</summary>
    private void WaitUntilBound(TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(Kind + " exited with " + _process.ExitCode + " at start");
            }
            var (_, sockets) = Udpx.Tests.Reliability.SystemCommand.Run("ip", ["netns", "exec", Netns!, "ss", "-Hlun"]);
            if (sockets.Contains(" " + Address + " ", StringComparison.Ordinal))
            {
                return;
            }
            Thread.Sleep(50);
        }
        throw new TimeoutException(Kind + " did not bind " + Address + " in " + Netns + " within " + limit);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _folder.Dispose();
    }
}
