using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Udpx.Common;
using Udpx.Tests.Reliability;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>
/// `udpx serve` (the real binary) checks and binds everything before it announces or creates anything: a
/// busy port, a bad --share, TFTP flags without --tftp end it with one line and their exit code, no
/// "listening" line and no --out folder left behind. Its "listening" event names the folder alone.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServeStartupTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly TempFolder _folder = new();

    private string Out => _folder.File("received");

    [Fact]
    public async Task The_listening_event_names_the_folder_alone_and_each_other_fact_in_its_own_field()
    {
        using var server = UdpxChild.Start(null, "serve", "--bind", "127.0.0.1:0", "--out", Out, "--json", "--headless", "--receive-threads", "2", "--allow-hidden");
        await server.WaitForEventAsync(e => e.Event == "listening", Limit);

        using var listening = JsonDocument.Parse(server.Lines.First(l => l.Contains("\"listening\"", StringComparison.Ordinal)));
        var e = listening.RootElement;
        Assert.Equal(Out, e.GetProperty("folder").GetString());
        Assert.True(e.GetProperty("created").GetBoolean());
        Assert.False(e.GetProperty("overwrite").GetBoolean());
        Assert.True(e.GetProperty("allowHidden").GetBoolean());
        Assert.Equal(2, e.GetProperty("receiveThreads").GetInt32());
    }

    [Fact]
    public async Task A_busy_port_fails_before_the_output_folder_is_made()
    {
        using var taken = Taken(out int port);

        var (code, output, error) = await UdpxProcess.RunAsync(Limit, "serve", "--bind", "127.0.0.1:" + port, "--out", Out, "--headless");

        Assert.Equal(ExitCodes.NetworkError, code);
        Assert.Contains("already in use", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
        Assert.False(Directory.Exists(Out), "serve made " + Out + " before it found the port taken");
    }

    [Fact]
    public async Task A_busy_tftp_port_fails_before_anything_is_announced_or_made()
    {
        using var taken = Taken(out int port);

        var (code, output, error) = await UdpxProcess.RunAsync(Limit, "serve", "--bind", "127.0.0.1:0", "--out", Out, "--headless", "--tftp", "127.0.0.1:" + port);

        Assert.Equal(ExitCodes.NetworkError, code);
        Assert.Equal("udpx: TFTP port " + port + " is already in use on 127.0.0.1 (another TFTP server?); pick another with --tftp ADDR:PORT", error.Trim());
        Assert.Equal(string.Empty, output);
        Assert.False(Directory.Exists(Out));
    }

    [Theory]
    [InlineData("/nonexistent/share", "udpx: --share '/nonexistent/share': no such folder")]
    [InlineData("/etc/passwd", "udpx: --share '/etc/passwd': not a folder")]
    public async Task A_share_that_is_not_a_folder_fails_before_anything_is_announced_or_made(string share, string message)
    {
        var (code, output, error) = await UdpxProcess.RunAsync(Limit, "serve", "--bind", "127.0.0.1:0", "--out", Out, "--headless", "--tftp", "127.0.0.1:0", "--share", share);

        Assert.Equal(ExitCodes.InputError, code);
        Assert.Equal(message, error.Trim());
        Assert.Equal(string.Empty, output);
        Assert.False(Directory.Exists(Out));
    }

    [Theory]
    [InlineData("--share", "/tmp")]
    [InlineData("--tftp-write")]
    public async Task A_tftp_flag_without_tftp_is_a_usage_error(params string[] flag)
    {
        var (code, output, error) = await UdpxProcess.RunAsync(Limit, ["serve", "--bind", "127.0.0.1:0", "--out", Out, "--headless", .. flag]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("udpx serve: " + flag[0] + " is for the TFTP listener: add --tftp [ADDR[:PORT]] (see 'udpx serve --help')", error.Trim());
        Assert.Equal(string.Empty, output);
        Assert.False(Directory.Exists(Out));
    }

    public void Dispose() => _folder.Dispose();

    private static Socket Taken(out int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }
}
