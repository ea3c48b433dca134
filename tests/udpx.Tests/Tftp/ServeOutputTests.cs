using System.Text.RegularExpressions;
using Udpx.Tests.Integration;
using Udpx.Tests.Reliability;
using Udpx.Tests.Support;

namespace Udpx.Tests.Tftp;

/// <summary>
/// `udpx serve --tftp` (the real binary) reports TFTP sessions as it reports udpx ones: JSON lines
/// (start, file, refused, each with "protocol": "tftp") and headless text lines marked "tftp".
/// </summary>
public sealed partial class ServeOutputTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Tftp_sessions_reach_the_json_lines_with_protocol_tftp()
    {
        using var folder = new TempFolder();
        string share = Directory.CreateDirectory(folder.File("share")).FullName;
        string stored = Directory.CreateDirectory(folder.File("out")).FullName;
        File.WriteAllBytes(Path.Combine(share, "r.bin"), Simulation.RandomFile(3000, 5));
        string upload = folder.Write("w.bin", Simulation.RandomFile(2000, 6));
        var (server, _) = await UdpxChild.ServeAsync(null, "127.0.0.1:0", stored, "--tftp", "127.0.0.1:0", "--tftp-write", "--share", share);
        using (server)
        {
            var listening = await server.WaitForEventAsync(e => e.Event == "listening" && e.Protocol == "tftp", Limit);
            string address = listening.Address!;

            var (code, stdout, stderr) = await UdpxProcess.RunAsync(Limit, "get", "--tftp", address, "--out", folder.File("got"), "r.bin", "missing.bin");
            Assert.True(code == 1, stdout + stderr);
            (code, stdout, stderr) = await UdpxProcess.RunAsync(Limit, "send", "--tftp", "--to", address, "--headless", upload);
            Assert.True(code == 0, stdout + stderr);

            var start = await server.WaitForEventAsync(e => e is { Event: "start", Protocol: "tftp", Name: "r.bin" }, Limit);
            Assert.Equal(3000, start.Size);
            Assert.Equal("read", start.Reason);
            var read = await server.WaitForEventAsync(e => e is { Event: "file", Protocol: "tftp", Name: "r.bin" }, Limit);
            Assert.Equal(3000, read.Bytes);
            var refused = await server.WaitForEventAsync(e => e is { Event: "refused", Protocol: "tftp", Name: "missing.bin" }, Limit);
            Assert.Contains("not found", refused.Reason, StringComparison.Ordinal);
            var written = await server.WaitForEventAsync(e => e is { Event: "file", Protocol: "tftp", Name: "w.bin" }, Limit);
            Assert.Equal(2000, written.Bytes);
            Assert.Equal("write", written.Reason);
            Assert.DoesNotContain(server.Events, e => e.Protocol is null && e.Event is "start" or "file");
        }
    }

    [Fact]
    public async Task Tftp_sessions_reach_the_headless_lines_marked_tftp()
    {
        using var folder = new TempFolder();
        string share = Directory.CreateDirectory(folder.File("share")).FullName;
        File.WriteAllBytes(Path.Combine(share, "r.bin"), Simulation.RandomFile(3000, 7));
        using var server = UdpxChild.Start(null, "serve", "--bind", "127.0.0.1:0", "--out", folder.File("out"), "--headless", "--tftp", "127.0.0.1:0", "--share", share);
        string address = (await WaitForLine(server, ListeningLine())).Groups[1].Value;

        var (code, stdout, stderr) = await UdpxProcess.RunAsync(Limit, "get", "--tftp", address, "--out", folder.File("got"), "r.bin");
        Assert.True(code == 0, stdout + stderr);

        await WaitForLine(server, StartLine());
        await WaitForLine(server, FileLine());
    }

    private static async Task<Match> WaitForLine(UdpxChild child, Regex pattern)
    {
        var until = DateTime.UtcNow + Limit;
        while (DateTime.UtcNow < until)
        {
            foreach (string line in child.Lines)
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    return match;
                }
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("no line like " + pattern + " in:\n" + string.Join('\n', child.Lines));
    }

    [GeneratedRegex(@" tftp 127\.0\.0\.1:\d+ <- r\.bin: sending 2\.93 KiB \(blksize 1468, windowsize \d+, octet\)$")]
    private static partial Regex StartLine();

    [GeneratedRegex(@" tftp 127\.0\.0\.1:\d+ <- r\.bin: 2\.93 KiB in .* packets, \d+ retransmitted$")]
    private static partial Regex FileLine();

    [GeneratedRegex(@"^udpx serve: TFTP on (127\.0\.0\.1:\d+), serving ")]
    private static partial Regex ListeningLine();
}
