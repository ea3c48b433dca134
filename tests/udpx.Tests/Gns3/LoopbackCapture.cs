using System.Diagnostics;
using System.Globalization;
using Udpx.Tests.Reliability;

namespace Udpx.Tests.Gns3;

/// <summary>dumpcap on lo for one UDP port, as a user would capture udpx with tcpdump; root only.</summary>
internal sealed class LoopbackCapture : IDisposable
{
    private readonly Process _process;

    private LoopbackCapture(Process process) => _process = process;

    public static LoopbackCapture Start(string path, int port)
    {
        var info = new ProcessStartInfo("dumpcap") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { "-i", "lo", "-f", "udp port " + port.ToString(CultureInfo.InvariantCulture), "-w", path })
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
        return new LoopbackCapture(process);
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
