using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>
/// Standard output on a full disk or a failing device (ENOSPC, EIO: /dev/full here). .NET swallows a broken pipe
/// but throws these from Console.Out, and the first lost line ended serve and send with a stack trace (exit 134).
/// </summary>
public sealed class FullStdoutTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Serve_keeps_serving_and_says_once_that_its_lines_are_dropped()
    {
        if (!File.Exists("/dev/full"))
        {
            return;
        }
        using var folder = new TempFolder();
        int port = CommandLineTests.FreeUdpPort();
        string[] sources = [folder.Write("one.bin", Simulation.RandomFile(100_000, 5)), folder.Write("two.bin", Simulation.RandomFile(100_000, 7))];
        string received = folder.File("out");
        using var server = StartToFull("serve", "--bind", "127.0.0.1:" + port, "--out", received, "--headless");
        var errors = server.StandardError.ReadToEndAsync();
        try
        {
            await WaitUntilBound(port, server);
            // The first session's lines are the first lost; the second shows that serve outlived them.
            foreach (string source in sources)
            {
                var (code, _, err) = await UdpxProcess.RunAsync(Limit, "send", source, "--to", "127.0.0.1:" + port, "--headless");
                Assert.True(code == 0, err);
                Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(Path.Combine(received, Path.GetFileName(source))));
            }
            Assert.False(server.HasExited, "serve ended: " + (server.HasExited ? await errors : string.Empty));
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }
        }
        string stderr = await errors;
        Assert.DoesNotContain("Unhandled", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("standard output failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_finishes_its_transfers_and_exits_non_zero_with_one_line()
    {
        if (!File.Exists("/dev/full"))
        {
            return;
        }
        using var folder = new TempFolder();
        string source = folder.Write("two.bin", Simulation.RandomFile(100_000, 6));
        using var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), folder.File("out"), new ServerOptions());
        using var send = StartToFull("send", source, "--to", host.EndPoint.ToString(), "--headless");
        var errors = send.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Limit);
        await send.WaitForExitAsync(cts.Token);
        string stderr = await errors;

        Assert.Equal(3, send.ExitCode);
        Assert.Equal("udpx send: cannot write to standard output: No space left on device", stderr.TrimEnd('\n'));
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(Path.Combine(folder.File("out"), "two.bin")));
    }

    /// <summary>udpx with its standard output on /dev/full, through the shell so the descriptor is the device itself.</summary>
    private static Process StartToFull(params string[] args)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" >/dev/full");
        info.ArgumentList.Add(UdpxProcess.Executable);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        return Process.Start(info)!;
    }

    /// <summary>Its "listening" line is lost with the rest, so the port taken is the sign that serve is up.</summary>
    private static async Task WaitUntilBound(int port, Process server)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (DateTime.UtcNow < deadline && !server.HasExited)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException)
            {
                return;
            }
            probe.Close();
            await Task.Delay(50);
        }
        throw new TimeoutException("serve did not bind 127.0.0.1:" + port);
    }
}
