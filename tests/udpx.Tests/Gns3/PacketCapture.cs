using System.Diagnostics;
using System.Globalization;
using Udpx.Tests.Reliability;

namespace Udpx.Tests.Gns3;

/// <summary>
/// dumpcap on one interface (of a namespace) for one UDP port, as a user would capture udpx with tcpdump;
/// root only. Its default kernel buffer: a larger one (-B 64) holds packets in ring blocks that are not
/// handed over before the SIGINT that stops the capture, and the capture came out empty.
/// </summary>
internal sealed class PacketCapture : IDisposable
{
    private readonly Process _process;

    private PacketCapture(Process process) => _process = process;

    public static PacketCapture Start(string path, int port, string device = "lo", string? netns = null)
    {
        var info = new ProcessStartInfo(netns is null ? "dumpcap" : "ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        // `ip netns exec` execs dumpcap in place: the process we hold is dumpcap itself, and gets the SIGINT.
        string[] prefix = netns is null ? [] : ["netns", "exec", netns, "dumpcap"];
        foreach (string a in (string[])[.. prefix, "-i", device, "-f", "udp port " + port.ToString(CultureInfo.InvariantCulture), "-w", path])
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dumpcap");
        var started = new TaskCompletionSource();
        var said = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            said.AppendLine(e.Data);
            if (e.Data?.StartsWith("Capturing on", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        if (!started.Task.Wait(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            process.Dispose();
            throw new InvalidOperationException("dumpcap did not start capturing: " + said);
        }
        return new PacketCapture(process);
    }

    /// <summary>Stops the capture the way Ctrl-C does, so that dumpcap writes out what it holds.</summary>
    public void Dispose()
    {
        SystemCommand.Run("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        if (!_process.WaitForExit(10_000))
        {
            _process.Kill();
        }
        _process.Dispose();
    }
}
