using Udpx.Demo.Recording;
using Udpx.Engine;

namespace Udpx.Demo.Report;

/// <summary>Everything the lab report shows: how the demo was run, what it downloaded, its runs as recorded, the lab and the machine.</summary>
internal sealed record LabReport(
    string CommandLine,
    DateTimeOffset Made,
    IReadOnlyList<SampleDownload> Downloads,
    IReadOnlyList<string> Servers,
    IReadOnlyList<RecordedRun> Runs,
    double LossPercent,
    long RateBytesPerSecond,
    int DatagramSize,
    LabProject Project,
    HostFacts Host)
{
    /// <summary>The report of a demo session: its download step and the runs that ended, on this machine, now.</summary>
    public static LabReport From(DemoSession session, string commandLine, TransferSettings settings, double lossPercent) => new(
        commandLine,
        DateTimeOffset.UtcNow,
        session.Downloads,
        [.. session.Scenario.Servers.Select(s => s.EndPoint.ToString())],
        session.Records,
        lossPercent,
        settings.RateBytesPerSecond,
        settings.DatagramSize,
        LabProject.Embedded(),
        HostFacts.Current());
}
