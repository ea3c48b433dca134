using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Udpx.Cli;
using Udpx.Protocol;
using Udpx.Tests.Integration;
using Udpx.Tests.Support;
using Xunit.Abstractions;

namespace Udpx.Tests.Reliability;

/// <summary>
/// A measurement, not a check (skipped unless UDPX_MEASURE_ABANDON is set; build/abandon-sessions.sh runs
/// it): a `udpx serve` (UDPX_MEASURE_BINARY, default the apphost beside the tests) gets 1,000 sessions
/// opened (Hello, Offer of a 12 MB file, Accept) and then abandoned, and its resident memory and CPU
/// seconds are read from /proc while they sit idle, and again once the idle timeout has ended them.
/// </summary>
[Collection(RunAlone.Name)]
public sealed class AbandonedSessionsMeasure(ITestOutputHelper output) : IDisposable
{
    private const int Sessions = 1_000;
    private const ulong FileSize = 12_000_000; // 8,310 chunks of 1444 bytes: the largest window, 8,192
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(15);

    private readonly TempFolder _folder = new();

    [SkippableFact]
    public async Task Server_memory_and_cpu_with_1000_sessions_opened_and_abandoned()
    {
        Skip.If(Environment.GetEnvironmentVariable("UDPX_MEASURE_ABANDON") is null, "a measurement: set UDPX_MEASURE_ABANDON=1 (build/abandon-sessions.sh)");
        string binary = Environment.GetEnvironmentVariable("UDPX_MEASURE_BINARY") ?? UdpxProcess.Executable;
        List<string> args = ["serve", "--bind", "127.0.0.1:0", "--out", _folder.Path, "--json", "--headless", "--max-sessions", "2000", "--idle-timeout", IdleTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)];
        if (Help(binary).Contains("--max-sessions-per-host", StringComparison.Ordinal))
        {
            args.AddRange(["--max-sessions-per-host", "2000"]);
        }
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        args.ForEach(info.ArgumentList.Add);
        using var server = Process.Start(info)!;
        try
        {
            int port = ListeningPort(server);
            var stdout = server.StandardOutput.ReadToEndAsync();
            await Task.Delay(1_000);
            var start = Sample(server.Id);
            var watch = Stopwatch.StartNew();
            int accepted = 0;
            using (var client = new RawClient(new IPEndPoint(IPAddress.Loopback, port)))
            {
                for (int i = 0; i < Sessions; i++)
                {
                    byte[] reply = client.Offer(0xABA0_0000UL + (ulong)i, FileSize, System.Text.Encoding.UTF8.GetBytes("abandoned-" + i + ".bin"));
                    accepted += reply[2] == (byte)MessageType.Accept ? 1 : 0;
                }
            }
            double openSeconds = watch.Elapsed.TotalSeconds;
            var opened = Sample(server.Id);
            await Task.Delay(Idle);
            var idle = Sample(server.Id);
            // Past the idle timeout the sessions have expired: lingering (before) or tombstones (after).
            await Task.Delay(IdleTimeout - Idle + TimeSpan.FromSeconds(5));
            var ended = Sample(server.Id);

            output.WriteLine($"binary: {binary}");
            output.WriteLine($"accepted {accepted} of {Sessions} offers of {FileSize} bytes in {openSeconds:F2} s");
            output.WriteLine($"before: RSS {start.RssKiB / 1024.0:F1} MiB");
            output.WriteLine($"opening {Sessions}: CPU {opened.CpuSeconds - start.CpuSeconds:F2} s; RSS after {opened.RssKiB / 1024.0:F1} MiB");
            output.WriteLine($"{Idle.TotalSeconds:F0} s with {accepted} abandoned sessions: CPU {idle.CpuSeconds - opened.CpuSeconds:F2} s ({(idle.CpuSeconds - opened.CpuSeconds) / Idle.TotalSeconds * 100:F1}% of a core); RSS {idle.RssKiB / 1024.0:F1} MiB, peak {idle.PeakKiB / 1024.0:F1} MiB");
            output.WriteLine($"{(IdleTimeout + TimeSpan.FromSeconds(5)).TotalSeconds:F0} s later, all expired: CPU over the last {(IdleTimeout - Idle + TimeSpan.FromSeconds(5)).TotalSeconds:F0} s {ended.CpuSeconds - idle.CpuSeconds:F2} s; RSS {ended.RssKiB / 1024.0:F1} MiB, peak {ended.PeakKiB / 1024.0:F1} MiB");
            Assert.Equal(Sessions, accepted);
            server.Kill();
            await stdout;
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }
        }
    }

    private static string Help(string binary)
    {
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add("--help");
        using var p = Process.Start(info)!;
        string text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text;
    }

    private static int ListeningPort(Process server)
    {
        while (server.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith('{') && JsonSerializer.Deserialize(line, CliJson.Default.ServerEvent) is { Event: "listening", Address: { } address })
            {
                return int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException("the server ended before listening: " + server.StandardError.ReadToEnd());
    }

    private readonly record struct ProcSample(double CpuSeconds, long RssKiB, long PeakKiB);

    /// <summary>utime + stime from /proc/PID/stat (clock ticks of 1/100 s), VmRSS and VmHWM from /proc/PID/status.</summary>
    private static ProcSample Sample(int pid)
    {
        string stat = File.ReadAllText("/proc/" + pid + "/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        long rss = 0, peak = 0;
        foreach (string line in File.ReadLines("/proc/" + pid + "/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }
        return new ProcSample(cpu, rss, peak);
    }

    public void Dispose() => _folder.Dispose();
}
