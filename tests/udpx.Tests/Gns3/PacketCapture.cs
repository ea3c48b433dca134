using System.Diagnostics;
using System.Globalization;
using Udpx.Tests.Reliability;

namespace Udpx.Tests.Gns3;

/// <summary>
/// tcpdump on one interface (of a namespace) for one UDP port, as a user would capture udpx; root only.
/// In immediate mode and writing each packet as it comes (-U): dumpcap, and tcpdump without these,
/// take packets from the kernel in ring blocks handed over when full or after a timeout, and a short
/// capture stopped by SIGINT on a busy machine came out empty. With a 32 MiB kernel buffer (-B): the
/// default 2 MiB holds a few dozen GSO bundles, and a tcpdump kept off the CPU for a moment on a loaded
/// machine lost packets the tests then missed; what the kernel still dropped is in <see cref="DroppedByKernel"/>.
/// </summary>
internal sealed class PacketCapture : IDisposable
{
    private const string BufferKiB = "32768";

    private readonly Process _process;
    private readonly System.Text.StringBuilder _said;

    private PacketCapture(Process process, System.Text.StringBuilder said)
    {
        _process = process;
        _said = said;
    }

    /// <summary>Packets the kernel dropped because tcpdump did not keep up (its own count, known once disposed); -1 when it did not say.</summary>
    public int DroppedByKernel { get; private set; } = -1;

    public static bool IsAvailable => SystemCommand.IsRoot && SystemCommand.Exists("tcpdump");

    public const string Unavailable = "needs root and tcpdump (Debian package tcpdump; .ci/run installs it) to capture";

    public static PacketCapture Start(string path, int port, string device = "lo", string? netns = null)
    {
        var info = new ProcessStartInfo(netns is null ? "tcpdump" : "ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        // `ip netns exec` execs tcpdump in place: the process we hold is tcpdump itself, and gets the SIGINT.
        string[] prefix = netns is null ? [] : ["netns", "exec", netns, "tcpdump"];
        foreach (string a in (string[])[.. prefix, "-i", device, "--immediate-mode", "-U", "-B", BufferKiB, "-n", "-s", "0", "-w", path, "udp port " + port.ToString(CultureInfo.InvariantCulture)])
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start tcpdump");
        var started = new TaskCompletionSource();
        var said = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (said)
            {
                said.AppendLine(e.Data);
            }
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
        return new PacketCapture(process, said);
    }

    /// <summary>After <see cref="Dispose"/>: fails, saying so, when the capture is incomplete, rather than a test's count of it.</summary>
    public void AssertNothingDropped() =>
        Assert.True(DroppedByKernel == 0, DroppedByKernel < 0 ? "tcpdump did not say how many packets it dropped" : "tcpdump lost " + DroppedByKernel + " packets (it did not keep up): the capture is incomplete");

    /// <summary>Stops the capture the way Ctrl-C does, so that tcpdump closes its file properly.</summary>
    public void Dispose()
    {
        SystemCommand.Run("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        if (_process.WaitForExit(10_000))
        {
            // The wait without a timeout also waits for the last lines of stderr.
            _process.WaitForExit();
            string said;
            lock (_said)
            {
                said = _said.ToString();
            }
            var dropped = System.Text.RegularExpressions.Regex.Match(said, @"(\d+) packets? dropped by kernel");
            DroppedByKernel = dropped.Success ? int.Parse(dropped.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
        }
        else
        {
            _process.Kill();
        }
        _process.Dispose();
    }
}
