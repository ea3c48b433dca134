using Udpx.Modes;
using Udpx.Ui;
using Udpx.Ui.Models;

namespace Udpx.Tests.Ui;

public sealed class DemoViewModelTests
{
    private sealed class FakeRunner
    {
        public List<(ConcurrencyMode Mode, TaskCompletionSource<DemoRunSummary> Done)> Runs { get; } = [];

        public LiveDemoRun Run(ConcurrencyMode mode, CancellationToken cancellationToken)
        {
            var done = new TaskCompletionSource<DemoRunSummary>();
            Runs.Add((mode, done));
            var handle = SendViewModelTests.Handle(Runs.Count, "f.bin", "127.0.0.1:9001", 1000);
            return new LiveDemoRun(mode, 3, [handle], done.Task);
        }
    }

    [Fact]
    public void A_mode_asked_for_while_a_run_goes_is_queued_and_started_when_it_ends()
    {
        var runner = new FakeRunner();
        using var quit = new CancellationTokenSource();
        var model = new DemoViewModel([], runner.Run, quit.Token);

        model.Request(ConcurrencyMode.Process, 0);
        model.Request(ConcurrencyMode.Thread, 0);
        model.Request(ConcurrencyMode.ThreadAsync, 0);

        Assert.Single(runner.Runs);
        Assert.Equal(ConcurrencyMode.ThreadAsync, model.Queued);
        Assert.Equal("run 1: process, next: thread-async", model.Status());
        Assert.Equal(ConcurrencyMode.Process, model.Client!.Mode);

        runner.Runs[0].Done.SetResult(new DemoRunSummary(ConcurrencyMode.Process, 2, 1000, 10, 1, true));
        model.Update(1_000_000);

        Assert.Equal(2, runner.Runs.Count);
        Assert.Equal(ConcurrencyMode.ThreadAsync, runner.Runs[1].Mode);
        Assert.Null(model.Queued);
        Assert.Equal(ConcurrencyMode.ThreadAsync, model.Client!.Mode);
        Assert.Single(model.Client.Servers[0].Rows);
        Assert.Single(model.Results);
        Assert.Equal("run 2: thread-async", model.Status());
    }

    [Fact]
    public void The_plan_runs_every_mode_in_turn_without_a_key_then_waits()
    {
        var runner = new FakeRunner();
        using var quit = new CancellationTokenSource();
        var model = new DemoViewModel([], runner.Run, quit.Token) { Intro = ["GET waves.png: 882 KiB in 2.1 ms"] };

        model.Plan([ConcurrencyMode.Process, ConcurrencyMode.Thread, ConcurrencyMode.ProcessAsync, ConcurrencyMode.ThreadAsync], 0);

        Assert.Equal("run 1: process, next: thread", model.Status());
        Assert.Equal("GET waves.png: 882 KiB in 2.1 ms", model.ClientLines(60)[0]);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(i + 1, runner.Runs.Count);
            runner.Runs[i].Done.SetResult(new DemoRunSummary(runner.Runs[i].Mode, 2, 1000, 10, 0, true));
            model.Update((i + 1) * 1_000_000L);
        }

        Assert.Equal([ConcurrencyMode.Process, ConcurrencyMode.Thread, ConcurrencyMode.ProcessAsync, ConcurrencyMode.ThreadAsync], runner.Runs.Select(r => r.Mode));
        Assert.Equal(4, model.Results.Count);
        Assert.Null(model.Current);
        Assert.Empty(model.Planned);
        Assert.Equal("idle: press 1 to 4 to run", model.Status());
        model.Update(9_000_000);
        Assert.Equal(4, runner.Runs.Count);

        // Still open: a key runs a mode again.
        model.Request(ConcurrencyMode.Thread, 10_000_000);
        Assert.Equal(5, runner.Runs.Count);
        Assert.Equal(ConcurrencyMode.Thread, runner.Runs[4].Mode);
    }

    [Fact]
    public void A_key_during_the_plan_runs_next_and_the_plan_goes_on_after_it()
    {
        var runner = new FakeRunner();
        using var quit = new CancellationTokenSource();
        var model = new DemoViewModel([], runner.Run, quit.Token);
        model.Plan([ConcurrencyMode.Process, ConcurrencyMode.Thread], 0);

        model.Request(ConcurrencyMode.ThreadAsync, 1);
        Assert.Equal("run 1: process, next: thread-async", model.Status());
        runner.Runs[0].Done.SetResult(new DemoRunSummary(ConcurrencyMode.Process, 2, 1000, 10, 0, true));
        model.Update(2);
        runner.Runs[1].Done.SetResult(new DemoRunSummary(ConcurrencyMode.ThreadAsync, 2, 1000, 10, 0, true));
        model.Update(3);

        Assert.Equal([ConcurrencyMode.Process, ConcurrencyMode.ThreadAsync, ConcurrencyMode.Thread], runner.Runs.Select(r => r.Mode));
    }

    [Fact]
    public void A_server_group_title_counts_the_datagrams_sent_again_once_there_are_any()
    {
        var group = new ServerGroup("127.0.0.1:9001");
        var handle = SendViewModelTests.Handle(1, "f.bin", "127.0.0.1:9001", 10_000);
        group.Add(handle);
        group.Update(0);
        Assert.Equal("127.0.0.1:9001: 0 of 1 done, 0 B/s", group.Title());

        handle.Counters.AddSent(1472, retransmission: false);
        handle.Counters.AddSent(1472, retransmission: true);
        handle.Counters.AddSent(1472, retransmission: true);
        group.Update(1_000);

        Assert.EndsWith(", 2 resent", group.Title(), StringComparison.Ordinal);
    }

    [Fact]
    public void Quitting_stops_the_plan()
    {
        var runner = new FakeRunner();
        using var quit = new CancellationTokenSource();
        var model = new DemoViewModel([], runner.Run, quit.Token);
        model.Plan([ConcurrencyMode.Process, ConcurrencyMode.Thread], 0);

        quit.Cancel();
        runner.Runs[0].Done.SetCanceled();
        model.Update(1);

        Assert.Single(runner.Runs);
        Assert.Equal("cancelled", model.Results[0].Error);
    }

    [Fact]
    public void Results_record_summaries_failures_and_cancellations_and_compare_the_rates()
    {
        var runner = new FakeRunner();
        using var quit = new CancellationTokenSource();
        var model = new DemoViewModel([], runner.Run, quit.Token);

        model.Request(ConcurrencyMode.Process, 0);
        runner.Runs[^1].Done.SetResult(new DemoRunSummary(ConcurrencyMode.Process, 4, 1_000_000, 3000, 12, true));
        model.Update(1);
        model.Request(ConcurrencyMode.ThreadAsync, 1);
        runner.Runs[^1].Done.SetResult(new DemoRunSummary(ConcurrencyMode.ThreadAsync, 2, 2_000_000, 2900, 3, false));
        model.Update(2);
        model.Request(ConcurrencyMode.Thread, 2);
        runner.Runs[^1].Done.SetException(new InvalidOperationException("server 2 did not answer"));
        model.Update(3);
        model.Request(ConcurrencyMode.ProcessAsync, 3);
        runner.Runs[^1].Done.SetCanceled();
        model.Update(4);

        Assert.Equal([1, 2, 3, 4], model.Results.Select(r => r.Run));
        Assert.Equal("idle: press 1 to 4 to run", model.Status());
        var lines = ResultsTable.Lines(model.Results, 78);
        Assert.Matches(@"^\s*#\s+mode\s+time\s+rate\s+dgrams\s+retx\s+ok\s+vs best\s*$", lines[0]);
        Assert.Matches(@"^\s*1 process\s+4\.00 s\s+1\.00 MB/s\s+3000\s+12 yes\s+0\.50x\s*$", lines[1]);
        Assert.Matches(@"^\s*2 thread-async\s+2\.00 s\s+2\.00 MB/s\s+2900\s+3 NO\s+1\.00x\s*$", lines[2]);
        Assert.Equal(" 3 thread: server 2 did not answer", lines[3]);
        Assert.Equal(" 4 process-async: cancelled", lines[4]);

        var compact = ResultsTable.Lines(model.Results, 40);
        Assert.All(compact, l => Assert.True(l.Length <= 40));
        Assert.Matches(@"^process\s+4\.00 s\s+1\.00 MB/s\s+12 ok\s*$", compact[1]);
        Assert.Matches(@"^thread-async\s+2\.00 s\s+2\.00 MB/s\s+3 NO\s*$", compact[2]);
    }

    [Fact]
    public void A_runner_that_throws_leaves_a_row_and_nothing_runs_after_quit()
    {
        using var quit = new CancellationTokenSource();
        int calls = 0;
        var model = new DemoViewModel([], (mode, _) =>
        {
            calls++;
            throw new IOException("no such file: demo.bin");
        }, quit.Token);

        model.Request(ConcurrencyMode.Thread, 0);
        Assert.Equal("no such file: demo.bin", Assert.Single(model.Results).Error);
        Assert.Null(model.Current);

        quit.Cancel();
        model.Request(ConcurrencyMode.Thread, 0);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void The_client_pane_shows_the_run_header_and_each_servers_transfers()
    {
        var runner = new FakeRunner();
        using var quit = new CancellationTokenSource();
        var model = new DemoViewModel([], runner.Run, quit.Token);
        Assert.Equal(["idle: press 1 to 4 to run"], model.ClientLines(38));

        model.Request(ConcurrencyMode.ThreadAsync, 0);
        model.Update(0);
        var lines = model.ClientLines(38);

        Assert.Equal("3 workers  0 of 1 done  0 B/s", lines[0]);
        Assert.Equal("to 127.0.0.1:9001: 0 of 1 done, 0 B/s", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("f.bin", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length <= 38));
    }
}
