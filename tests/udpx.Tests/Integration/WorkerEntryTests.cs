using System.Text;
using System.Text.Json;
using Udpx.Cli;
using Udpx.Engine;
using Udpx.Modes;

namespace Udpx.Tests.Integration;

/// <summary>
/// A process-mode child starts as exactly <c>udpx worker</c>: that command line runs the job loop before any
/// command tree is built (the tree's start-up was paid once per transfer); any other worker command line is
/// parsed as before.
/// </summary>
public sealed class WorkerEntryTests
{
    [Fact]
    public async Task A_parents_worker_command_runs_a_job_without_building_the_command_tree()
    {
        using var servers = new LoopbackServers(count: 1);
        string path = servers.MakeFile("entry", 300_000, 9);
        var job = WorkerJob.From(new TransferJob(4, path, "entry", servers.Addresses[0], new TransferSettings()));
        var output = new MemoryStream();
        int built = 0;

        int exit = await CommandLineApp.RunAsync(
            [WorkerLaunch.Verb],
            () => WorkerEntry.Run(new StringReader(JsonSerializer.Serialize(job, WorkerJson.Default.WorkerJob) + "\n"), output),
            args =>
            {
                built++;
                return CommandLineApp.BuildRoot(args);
            });

        Assert.Equal(0, exit);
        Assert.Equal(0, built);
        var result = Encoding.UTF8.GetString(output.ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize(line, WorkerJson.Default.WorkerReport)!)
            .Single(r => r.Type == WorkerReport.ResultType).Result!;
        Assert.True(result.Verified, result.Error);
        Assert.Equal(4, result.JobId);
    }

    [Theory]
    [InlineData("worker", "--bogus")]
    [InlineData("worker", "worker")]
    public async Task Any_other_worker_command_line_is_parsed_and_refused_as_before(params string[] args)
    {
        int built = 0;
        int exit = await CommandLineApp.RunAsync(
            args,
            () => throw new InvalidOperationException("the worker loop must not run"),
            a =>
            {
                built++;
                return CommandLineApp.BuildRoot(a);
            });

        Assert.Equal(1, built);
        Assert.Equal(Udpx.Common.ExitCodes.Usage, exit);
    }

    [Theory]
    [InlineData(true, "worker")]
    [InlineData(false, "worker", "--help")]
    [InlineData(false)]
    [InlineData(false, "send", "worker")]
    [InlineData(false, "Worker")]
    public void Only_the_command_line_a_parent_starts_takes_the_short_way(bool takes, params string[] args) =>
        Assert.Equal(takes, WorkerEntry.Takes(args));
}
