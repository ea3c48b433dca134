using Udpx.Demo.Recording;
using Udpx.Engine;
using Udpx.Modes;

namespace Udpx.Demo;

/// <summary>
/// The demo's front door: the sample images downloaded from the demo's own web server (unless files were
/// given), the scenario's two servers, the relays of `--loss`, and every run recorded for the report.
/// The command line and the terminal UI both run the demo through this.
/// </summary>
internal sealed class DemoSession : IAsyncDisposable
{
    private readonly string? _downloads;
    private readonly List<RecordedRun> _records = [];

    private DemoSession(DemoScenario scenario, IReadOnlyList<SampleDownload> downloads, string? downloadFolder, LossRelays? relays)
    {
        Scenario = scenario;
        Downloads = downloads;
        _downloads = downloadFolder;
        Relays = relays;
        if (relays is not null)
        {
            scenario.Targets = relays.EndPoints;
        }
    }

    public DemoScenario Scenario { get; }

    /// <summary>The download step, in order; empty when the user gave files of their own.</summary>
    public IReadOnlyList<SampleDownload> Downloads { get; }

    public LossRelays? Relays { get; }

    /// <summary>The runs that ended, in order (a run cancelled before it ended is not here).</summary>
    public IReadOnlyList<RecordedRun> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    /// <param name="files">Files to send instead of the downloaded samples; null for the samples.</param>
    /// <param name="lossPercent">Datagrams each relay drops each way; 0 sends to the servers directly.</param>
    public static async Task<DemoSession> StartAsync(IReadOnlyList<string>? files, double lossPercent, CancellationToken cancellationToken)
    {
        string? folder = null;
        IReadOnlyList<SampleDownload> downloads = [];
        DemoScenario? scenario = null;
        try
        {
            if (files is null)
            {
                folder = Directory.CreateTempSubdirectory("udpx-demo-downloads-").FullName;
                downloads = await SampleDownload.FetchAllAsync(folder, cancellationToken).ConfigureAwait(false);
                files = [.. downloads.Select(d => d.File.Path)];
            }
            scenario = new DemoScenario(files: files);
            var relays = lossPercent > 0 ? LossRelays.Start([.. scenario.Servers.Select(s => s.EndPoint)], lossPercent) : null;
            return new DemoSession(scenario, downloads, folder, relays);
        }
        catch
        {
            scenario?.Dispose();
            DeleteFolder(folder);
            throw;
        }
    }

    /// <summary>Starts a run under <paramref name="mode"/>: the transfers are live at once; the task ends with the checked, recorded run.</summary>
    public (IReadOnlyList<TransferHandle> Transfers, int Workers, Task<RecordedRun> Completion) Start(ConcurrencyMode mode, int workers, TransferSettings settings, CancellationToken cancellationToken)
    {
        var (transfers, runWorkers, completion) = Scenario.Start(mode, workers, settings, cancellationToken);
        var recorder = new RunRecorder(transfers, Scenario.Servers, [.. Scenario.Targets.Select(t => t.ToString())]);
        return (transfers, runWorkers, KeepAsync(recorder.RecordAsync(completion, Relays is { } r ? () => r.Dropped : null)));
    }

    public async Task<RecordedRun> RunAsync(ConcurrencyMode mode, int workers, TransferSettings settings, CancellationToken cancellationToken) =>
        await Start(mode, workers, settings, cancellationToken).Completion.ConfigureAwait(false);

    private async Task<RecordedRun> KeepAsync(Task<RecordedRun> recording)
    {
        var record = await recording.ConfigureAwait(false);
        lock (_records)
        {
            _records.Add(record);
        }
        return record;
    }

    public async ValueTask DisposeAsync()
    {
        if (Relays is not null)
        {
            await Relays.DisposeAsync().ConfigureAwait(false);
        }
        Scenario.Dispose();
        DeleteFolder(_downloads);
    }

    private static void DeleteFolder(string? folder)
    {
        if (folder is null)
        {
            return;
        }
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
