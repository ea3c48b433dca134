using Udpx.Demo.Recording;

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
    HostFacts Host);
