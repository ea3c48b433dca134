using System.Text;
using System.Text.Json;
using Udpx.Engine;
using Udpx.Modes;

namespace Udpx.Tests.Integration;

/// <summary>
/// The worker protocol's hand-over, through the worker's own loop and a real server: a held job waits for its
/// release line, says when it has sent everything once (a "sent" line, before its result), and gives up
/// when its input ends before the release.
/// </summary>
public sealed class HeldWorkerJobTests
{
    [Fact]
    public void A_held_job_runs_once_released_and_reports_sent_once_before_its_result()
    {
        using var servers = new LoopbackServers(count: 1);
        string path = servers.MakeFile("held", 2_000_000, 5);
        var job = WorkerJob.From(new TransferJob(7, path, "held", servers.Addresses[0], new TransferSettings()), held: true);
        var reports = Run(JsonSerializer.Serialize(job, WorkerJson.Default.WorkerJob) + "\n" + JsonSerializer.Serialize(new WorkerRelease(7, 64), WorkerJson.Default.WorkerRelease) + "\n");

        var sent = reports.FindIndex(r => r.Type == WorkerReport.SentType);
        var result = reports.FindIndex(r => r.Type == WorkerReport.ResultType);
        Assert.True(sent >= 0 && result > sent, "a sent line, then the result");
        Assert.True(reports[result].Result!.Verified, reports[result].Result!.Error);
        var sample = reports[sent].Sample!;
        Assert.True(sample.Seconds > 0 && sample.Window > 0, "the sample says what the path carried");
    }

    [Fact]
    public void A_held_job_whose_input_ends_before_its_release_gives_up()
    {
        using var servers = new LoopbackServers(count: 1);
        string path = servers.MakeFile("orphan", 200_000, 6);
        var job = WorkerJob.From(new TransferJob(8, path, "orphan", servers.Addresses[0], new TransferSettings()), held: true);
        var reports = Run(JsonSerializer.Serialize(job, WorkerJson.Default.WorkerJob) + "\n");

        var result = Assert.Single(reports, r => r.Type == WorkerReport.ResultType).Result!;
        Assert.False(result.Verified);
        Assert.Contains("cancelled", result.Error);
        Assert.DoesNotContain(reports, r => r.Type == WorkerReport.SentType);
    }

    private static List<WorkerReport> Run(string input)
    {
        var output = new MemoryStream();
        Assert.Equal(0, WorkerHost.Run(new StringReader(input), output, CancellationToken.None));
        return Encoding.UTF8.GetString(output.ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize(line, WorkerJson.Default.WorkerReport)!)
            .ToList();
    }
}
