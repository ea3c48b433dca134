using System.Threading.Channels;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Tests.Support;

namespace Udpx.Tests.Congestion;

/// <summary>
/// How the process modes hand jobs to workers, with stand-in workers the test completes by hand: one job per
/// server at a time, process mode's next child started while the one before it sends (not all at once), and
/// each job started warm from the window the last one on its path ended with.
/// </summary>
public sealed class WorkerScheduleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Process_mode_starts_one_child_ahead_per_server_and_hands_each_the_last_windows_half()
    {
        var workers = new StandInWorkers();
        var handles = Handles("a:1", "a:1", "a:1", "a:1");
        var run = new ProcessDispatcher(workers.Start, "stand-in", TimeSpan.FromMinutes(1), new ManualTimeProvider()).RunAsync(handles, CancellationToken.None);

        var first = await workers.NextSubmission();
        Assert.Equal((1, 0), (first.Handle.Job.Id, first.InitialWindow));
        await workers.WaitForStarted(2);
        Assert.Equal(2, workers.Started); // the next child, ready; not all four at once
        Assert.False(workers.HasSubmission); // the second waits for the path

        first.Finish(window: 400);
        var second = await workers.NextSubmission();
        Assert.Equal((2, 200), (second.Handle.Job.Id, second.InitialWindow));
        await workers.WaitForStarted(3);
        Assert.Equal(3, workers.Started);

        second.Finish(window: 100);
        var third = await workers.NextSubmission();
        Assert.Equal((3, 50), (third.Handle.Job.Id, third.InitialWindow));
        third.Finish(window: 0, verified: false);
        var fourth = await workers.NextSubmission();
        Assert.Equal((4, 0), (fourth.Handle.Job.Id, fourth.InitialWindow)); // a failure forgets the path
        fourth.Finish(window: 64);

        await run.WaitAsync(Patience);
        Assert.Equal(4, workers.Started);
        Assert.All(handles, h => Assert.NotNull(h.Result));
        Assert.False(handles[2].Result!.Verified);
    }

    [Fact]
    public async Task Process_mode_runs_different_servers_side_by_side()
    {
        var workers = new StandInWorkers();
        var handles = Handles("a:1", "b:1", "a:1", "b:1");
        var run = new ProcessDispatcher(workers.Start, "stand-in", TimeSpan.FromMinutes(1), new ManualTimeProvider()).RunAsync(handles, CancellationToken.None);

        var one = await workers.NextSubmission();
        var two = await workers.NextSubmission();
        Assert.Equal(new[] { "a:1", "b:1" }, new[] { one.Handle.Job.Server, two.Handle.Job.Server }.Order());
        await workers.WaitForStarted(4);
        Assert.False(workers.HasSubmission);
        one.Finish(window: 400);
        two.Finish(window: 400);
        (await workers.NextSubmission()).Finish(window: 400);
        (await workers.NextSubmission()).Finish(window: 400);
        await run.WaitAsync(Patience);
        Assert.All(handles, h => Assert.True(h.Result!.Verified));
    }

    [Fact]
    public async Task Process_async_workers_take_turns_on_one_server_and_a_new_worker_starts_warm()
    {
        var workers = new StandInWorkers();
        var handles = Handles("a:1", "a:1", "a:1");
        var run = new ProcessPoolDispatcher(workers.Start, "stand-in", 2, TimeSpan.FromMinutes(1), new ManualTimeProvider()).RunAsync(handles, CancellationToken.None);

        var first = await workers.NextSubmission();
        Assert.Equal(0, first.InitialWindow);
        Assert.Equal(2, workers.Started);
        Assert.False(workers.HasSubmission); // the other worker has room, but the path has not
        first.Finish(window: 600);
        var second = await workers.NextSubmission();
        Assert.Equal(300, second.InitialWindow);
        Assert.NotSame(first.Worker, second.Worker);
        Assert.False(workers.HasSubmission);
        second.Finish(window: 600);
        (await workers.NextSubmission()).Finish(window: 600);
        await run.WaitAsync(Patience);
        Assert.All(handles, h => Assert.True(h.Result!.Verified));
    }

    private static TransferHandle[] Handles(params string[] servers) =>
        servers.Select((s, i) => new TransferHandle(new TransferJob(i + 1, "/f" + i, "f" + i, s, new TransferSettings()))).ToArray();

    private sealed record Submission(StandInWorker Worker, TransferHandle Handle, int InitialWindow, TaskCompletionSource<TransferResult> Future)
    {
        public void Finish(int window, bool verified = true) => Future.SetResult(new TransferResult
        {
            JobId = Handle.Job.Id,
            Name = Handle.Job.Name,
            Server = Handle.Job.Server,
            Verified = verified,
            PathWindow = window,
            RttMicros = 1_000,
            Bytes = 1L << 40, // a delivery rate far above the window: the window is the pipe
            Seconds = 1,
        });
    }

    private sealed class StandInWorkers
    {
        private readonly Channel<Submission> _submissions = Channel.CreateUnbounded<Submission>();
        private readonly Channel<int> _starts = Channel.CreateUnbounded<int>();
        private int _started;

        public int Started => Volatile.Read(ref _started);

        public bool HasSubmission => _submissions.Reader.TryPeek(out _);

        public StandInWorker Start()
        {
            _starts.Writer.TryWrite(Interlocked.Increment(ref _started));
            return new StandInWorker(_submissions.Writer);
        }

        public async Task<Submission> NextSubmission() => await _submissions.Reader.ReadAsync().AsTask().WaitAsync(Patience);

        public async Task WaitForStarted(int count)
        {
            while (await _starts.Reader.ReadAsync().AsTask().WaitAsync(Patience) < count)
            {
            }
        }
    }

    private sealed class StandInWorker(ChannelWriter<Submission> submissions) : IWorker
    {
        public Task<TransferResult> Submit(TransferHandle handle, int initialWindow)
        {
            var future = new TaskCompletionSource<TransferResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            submissions.TryWrite(new Submission(this, handle, initialWindow, future));
            return future.Task;
        }

        public void CloseInput()
        {
        }

        public void Kill()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
