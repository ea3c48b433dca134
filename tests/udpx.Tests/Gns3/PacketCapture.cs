using System.Diagnostics;
using System.Globalization;
using Udpx.Tests.Reliability;

namespace Udpx.Tests.Gns3;

/// <summary>
/// tcpdump on one interface (of a namespace) for one UDP port, as a user would capture udpx; root only.
/// In immediate mode and writing each packet as it comes (-U): dumpcap, and tcpdump without these,
/// take packets from the kernel in ring blocks handed over when full or after a timeout, and a short
/// capture stopped by SIGINT on a busy machine came out empty.
/// </summary>
internal sealed class PacketCapture : IDisposable
{
    private readonly Process _process;

    private PacketCapture(Process process) => _process = process;

    public static bool IsAvailable => SystemCommand.IsRoot && SystemCommand.Exists("tcpdump");

    public const string Unavailable = "needs root and tcpdump (Debian package tcpdump; .ci/run installs it) to capture";

    public static PacketCapture Start(string path, int port, string device = "lo", string? netns = null)
    {
        var info = new ProcessStartInfo(netns is null ? "tcpdump" : "ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        // `ip netns exec` execs tcpdump in place: the process we hold is tcpdump itself, and gets the SIGINT.
        string[] prefix = netns is null ? [] : ["netns", "exec", netns, "tcpdump"];
        foreach (string a in (string[])[.. prefix, "-i", device, "--immediate-mode", "-U", "-n", "-s", "0", "-w", path, "udp port " + port.ToString(CultureInfo.InvariantCulture)])
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start tcpdump");
        var started = new TaskCompletionSource();
        var said = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            said.AppendLine(e.Data);
            if (e.Data?.Contains("listening on", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        if (!started.Task.Wait(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            process.Dispose();
            throw new InvalidOperationException("tcpdump did not start capturing: " + said);
        }
        return new PacketCapture(process);
    }

    /// <summary>Stops the capture the way Ctrl-C does, so that tcpdump closes its file properly.</summary>
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
