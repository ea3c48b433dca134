using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Udpx.Tests.Support;

namespace Udpx.Tests.Integration;

/// <summary>The real binary: bad input gets one clear line and a documented exit code, never a stack trace.</summary>
public sealed class CommandLineTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(3, "file not found", "send", "/nonexistent/file.bin", "--to", "127.0.0.1:9000")]
    [InlineData(2, "unknown mode", "send", "/etc/hostname", "--to", "127.0.0.1:9000", "--mode", "fork")]
    [InlineData(2, "HOST:PORT", "send", "/etc/hostname", "--to", "localhost")]
    [InlineData(2, "port must be", "send", "/etc/hostname", "--to", "127.0.0.1:99999")]
    [InlineData(2, "--to", "send", "/etc/hostname")]
    [InlineData(2, "--datagram-size", "send", "/etc/hostname", "--to", "127.0.0.1:9000", "--datagram-size", "70000")]
    [InlineData(2, "--rate", "send", "/etc/hostname", "--to", "127.0.0.1:9000", "--rate", "fast")]
    [InlineData(2, "nothing to send", "send", "--to", "127.0.0.1:9000")]
    [InlineData(2, "--url", "send", "--url", "ftp://example/x", "--to", "127.0.0.1:9000")]
    [InlineData(2, "--verbosity", "serve", "--verbosity", "loud", "--out", "/tmp")]
    [InlineData(2, "--bind", "serve", "--bind", "nowhere:1", "--out", "/tmp")]
    [InlineData(2, "--receive-threads", "serve", "--receive-threads", "0", "--out", "/tmp")]
    [InlineData(2, "--out expects a path, got ''", "serve", "--out", "")]
    [InlineData(2, "--out expects a path, got ''", "get", "--tftp", "127.0.0.1:1", "x", "--out", "")]
    [InlineData(2, "<file> expects a path, got ''", "keygen", "")]
    [InlineData(2, "--report expects a path, got ''", "bench", "--report", "")]
    [InlineData(2, "--key-file expects a path, got ''", "send", "/etc/hostname", "--to", "127.0.0.1:1", "--key-file", "")]
    [InlineData(2, "--max-sessions expects a whole number, got '1e3'", "serve", "--max-sessions", "1e3")]
    [InlineData(2, "--servers must be between 1 and 2147483647, got 99999999999", "bench", "--servers", "99999999999")]
    [InlineData(2, "--seed expects a whole number, got 'abc'", "relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--seed", "abc")]
    [InlineData(3, "cannot write to output folder", "serve", "--bind", "127.0.0.1:0", "--out", "/proc/udpx-cannot-exist")]
    [InlineData(2, "Unrecognized command", "frobnicate")]
    [InlineData(2, "unknown mode", "demo", "--mode", "fork")]
    [InlineData(2, "--loss", "demo", "--loss", "80")]
    [InlineData(2, "--rate", "demo", "--rate", "5")]
    [InlineData(3, "cannot write the report", "demo", "--report", "/proc/udpx-cannot-exist")]
    [InlineData(2, "--loss expects a percentage", "relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--loss", "nan")]
    [InlineData(2, "--duplicate expects a percentage", "relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--duplicate", "NaN")]
    [InlineData(2, "--corrupt", "relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--corrupt", "nan/0")]
    [InlineData(2, "--reorder", "relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:1", "--reorder", "0/nan")]
    [InlineData(2, "--loss", "demo", "--loss", "nan")]
    // An unwritable --out: were the share accepted, serve would stop there with 3 instead of 2.
    [InlineData(2, "--min-free", "serve", "--min-free", "nan%", "--out", "/proc/udpx-cannot-exist")]
    [InlineData(2, "--min-free", "serve", "--min-free", "-nan%", "--out", "/proc/udpx-cannot-exist")]
    public async Task Bad_input_gets_one_line_and_an_exit_code(int exitCode, string message, params string[] args)
    {
        var (code, _, err) = await UdpxProcess.RunAsync(Limit, args);
        Assert.Equal(exitCode, code);
        Assert.Contains(message, err, StringComparison.OrdinalIgnoreCase);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_reported_with_exit_code_4()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        using var folder = new TempFolder();

        var (code, _, err) = await UdpxProcess.RunAsync(Limit, "serve", "--bind", "127.0.0.1:" + port, "--out", folder.Path);

        Assert.Equal(4, code);
        Assert.Contains("already in use", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_and_send_as_separate_processes_store_the_file_and_report_it_as_json()
    {
        using var folder = new TempFolder();
        int port = FreeUdpPort();
        string source = folder.Write("photo.png", Simulation.RandomFile(200_000, 3));
        string received = Path.Combine(folder.Path, "out");
        using var server = UdpxProcess.Start("serve", "--bind", "127.0.0.1:" + port, "--out", received, "--json", "--headless");
        try
        {
            Assert.Contains("listening", await server.StandardOutput.ReadLineAsync(), StringComparison.Ordinal);

            var (code, output, err) = await UdpxProcess.RunAsync(Limit, "send", source, "--to", "127.0.0.1:" + port, "--mode", "process", "--json");

            Assert.True(code == 0, err);
            using var report = JsonDocument.Parse(output);
            Assert.True(report.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal("process", report.RootElement.GetProperty("mode").GetString());
            Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(Path.Combine(received, "photo.png")));
            string? line;
            do
            {
                line = await server.StandardOutput.ReadLineAsync();
            }
            while (line is not null && !line.Contains("\"file\"", StringComparison.Ordinal));
            Assert.NotNull(line);
            using var fileEvent = JsonDocument.Parse(line);
            Assert.True(fileEvent.RootElement.GetProperty("digestOk").GetBoolean());
            Assert.Equal(200_000, fileEvent.RootElement.GetProperty("size").GetInt64());
        }
        finally
        {
            server.Kill();
        }
    }

    [Fact]
    public async Task The_headless_demo_runs_all_four_modes_and_verifies_every_file()
    {
        var (code, output, err) = await UdpxProcess.RunAsync(TimeSpan.FromMinutes(3), "demo", "--headless", "--json");
        Assert.True(code == 0, err);
        using var report = JsonDocument.Parse(output);
        var modes = report.RootElement.GetProperty("modes").EnumerateArray().Select(m => m.GetProperty("mode").GetString()).ToList();
        Assert.Equal(["process", "thread", "process-async", "thread-async"], modes);
        Assert.All(report.RootElement.GetProperty("modes").EnumerateArray(), m => Assert.True(m.GetProperty("allIdentical").GetBoolean()));
        // The download step came first: both samples fetched by URL from the demo's own web server.
        var downloads = report.RootElement.GetProperty("downloads").EnumerateArray().ToList();
        Assert.Equal(["mandelbrot.png", "waves.png"], downloads.Select(d => new Uri(d.GetProperty("url").GetString()!).Segments[^1]));
        Assert.All(downloads, d => Assert.StartsWith("http://127.0.0.1:", d.GetProperty("url").GetString(), StringComparison.Ordinal));
        Assert.Equal([306_290L, 903_464L], downloads.Select(d => d.GetProperty("bytes").GetInt64()));
    }

    internal static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
