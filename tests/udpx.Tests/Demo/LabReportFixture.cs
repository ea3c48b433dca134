using Udpx.Tests.Integration;
using Udpx.Tests.Support;

namespace Udpx.Tests.Demo;

/// <summary>
/// One real `udpx demo --report` for the report tests: two modes (one with processes, one with threads) through
/// relays dropping 10% each way, so the report has retransmissions to show, paced at 1 MB/s so that every
/// transfer lasts several of the recorder's samples (at full speed a loopback transfer may end within one).
/// </summary>
public sealed class LabReportFixture : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();

    public string Folder => Path.Combine(_folder.Path, "report");

    public string ReportPath => Path.Combine(Folder, "report.html");

    public int ExitCode { get; private set; }

    public string Output { get; private set; } = string.Empty;

    public string Error { get; private set; } = string.Empty;

    public string Html { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        (ExitCode, Output, Error) = await UdpxProcess.RunAsync(TimeSpan.FromMinutes(3),
            "demo", "--headless", "--rate", "1M", "--loss", "10", "--mode", "process", "--mode", "thread", "--report", Folder);
        Html = File.Exists(ReportPath) ? await File.ReadAllTextAsync(ReportPath) : string.Empty;
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _folder.Dispose();
}
