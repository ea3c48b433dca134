using System.Threading.Channels;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Tests.Support;

namespace Udpx.Tests.Congestion;

/// <summary>
/// How the process modes hand jobs to workers, with stand-in workers the test completes by hand: one job per
/// server sending at a time, process mode's next child started and shaking hands while the one before it sends
/// (not all at once) and let go when that one has sent everything once, and each job started warm from the
/// window the last one on its path measured.
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
        Assert.Equal((1, 0, false), (first.Handle.Job.Id, first.InitialWindow, first.Held));
        var second = await workers.NextSubmission();
        Assert.Equal((2, true), (second.Handle.Job.Id, second.Held)); // shaking hands while the first sends
        Assert.Equal(2, workers.Started); // the next child, ready; not all four at once
        Assert.False(second.Released.Task.IsCompleted); // but the path is still the first's

        first.Finish(window: 400);
        Assert.Equal(200, await second.Released.Task.WaitAsync(Patience));
        var third = await workers.NextSubmission();
        Assert.Equal(3, workers.Started);

        second.Finish(window: 100);
        Assert.Equal(50, await third.Released.Task.WaitAsync(Patience));
        var fourth = await workers.NextSubmission();
        third.Finish(window: 0, verified: false);
        Assert.Equal(0, await fourth.Released.Task.WaitAsync(Patience)); // a failure forgets the path
        fourth.Finish(window: 64);

        await run.WaitAsync(Patience);
        Assert.Equal(4, workers.Started);
        Assert.All(handles, h => Assert.NotNull(h.Result));
        Assert.False(handles[2].Result!.Verified);
    }

    [Fact]
    public async Task Process_mode_hands_the_path_over_when_a_child_has_sent_everything_once_not_when_it_ends()
    {
        var workers = new StandInWorkers();
        var handles = Handles("a:1", "a:1", "a:1");
        var run = new ProcessDispatcher(workers.Start, "stand-in", TimeSpan.FromMinutes(1), new ManualTimeProvider()).RunAsync(handles, CancellationToken.None);

        var first = await workers.NextSubmission();
        var second = await workers.NextSubmission();
        Assert.True(second.Held);
        first.SendOnce(window: 600, rttMicros: 1_000); // its last acknowledgements and the verification still to come
        Assert.Equal(300, await second.Released.Task.WaitAsync(Patience)); // half of what the first had measured
        Assert.False(handles[0].Result is not null); // the first still runs: the two share the path for its tail

        var third = await workers.NextSubmission();
        Assert.True(third.Held);
        first.Finish(window: 800); // the result is recorded over the note
        await WaitFor(() => handles[0].Result is not null);
        second.SendOnce(window: 0, rttMicros: 1_000); // it measured nothing, so the memory keeps the first's result
        Assert.Equal(400, await third.Released.Task.WaitAsync(Patience));
        second.Finish(window: 100);
        third.Finish(window: 100);

        await run.WaitAsync(Patience);
        Assert.All(handles, h => Assert.True(h.Result!.Verified));
    }

    /// <summary>
    /// A child's first Hello waits for its Cookie three of the path's round trips, not 200 ms, when the parent
    /// remembers one: each child is handed the round trip its path was last seen with. The second child shakes
    /// hands while the first sends, before anything is known; the third has the first's.
    /// </summary>
    [Fact]
    public async Task Process_mode_hands_each_child_the_round_trip_its_path_was_last_seen_with()
    {
        var workers = new StandInWorkers();
        var time = new ManualTimeProvider();
        var handles = Handles("a:1", "a:1", "a:1", "a:1");
        var run = new ProcessDispatcher(workers.Start, "stand-in", TimeSpan.FromMinutes(1), time).RunAsync(handles, CancellationToken.None);

        var first = await workers.NextSubmission();
        var second = await workers.NextSubmission();
        Assert.Equal((0L, 0L), (first.PathRttMicros, second.PathRttMicros));
        first.SendOnce(window: 600, rttMicros: 1_500);
        await second.Released.Task.WaitAsync(Patience);
        var third = await workers.NextSubmission();
        Assert.Equal(1_500, third.PathRttMicros);

        first.Finish(window: 400);
        second.Finish(window: 100); // its result's round trip, 1 ms, is the path's now
        await third.Released.Task.WaitAsync(Patience);
        var fourth = await workers.NextSubmission();
        Assert.Equal(1_000, fourth.PathRttMicros);

        third.Finish(window: 64);
        fourth.Finish(window: 64);
        await run.WaitAsync(Patience);
    }

    [Fact]
    public async Task Process_mode_runs_different_servers_side_by_side()
    {
        var workers = new StandInWorkers();
        var handles = Handles("a:1", "b:1", "a:1", "b:1");
        var run = new ProcessDispatcher(workers.Start, "stand-in", TimeSpan.FromMinutes(1), new ManualTimeProvider()).RunAsync(handles, CancellationToken.None);

        var all = new List<Submission>();
        for (int i = 0; i < 4; i++)
        {
            all.Add(await workers.NextSubmission());
        }
        // Each path's first job sends at once, and its second shakes hands and waits for its own path only.
        var a = all.Where(x => x.Handle.Job.Server == "a:1").ToArray();
        var b = all.Where(x => x.Handle.Job.Server == "b:1").ToArray();
        Assert.Equal((false, true), (a[0].Held, a[1].Held));
        Assert.Equal((false, true), (b[0].Held, b[1].Held));
        a[0].Finish(window: 400);
        Assert.Equal(200, await a[1].Released.Task.WaitAsync(Patience));
        Assert.False(b[1].Released.Task.IsCompleted);
        b[0].Finish(window: 400);
        Assert.Equal(200, await b[1].Released.Task.WaitAsync(Patience));
        a[1].Finish(window: 400);
        b[1].Finish(window: 400);
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
        Assert.Equal((0, false), (first.InitialWindow, first.Held));
        Assert.Equal(2, workers.Started);
        var second = await workers.NextSubmission();
        Assert.NotSame(first.Worker, second.Worker);
        Assert.True(second.Held); // the other worker shakes hands, but the path is the first's
        Assert.False(second.Released.Task.IsCompleted);
        first.Finish(window: 600);
        Assert.Equal(300, await second.Released.Task.WaitAsync(Patience));
        var third = await workers.NextSubmission();
        Assert.Same(first.Worker, third.Worker);
        Assert.True(third.Held);
        second.Finish(window: 600);
        await third.Released.Task.WaitAsync(Patience);
        third.Finish(window: 600);
        await run.WaitAsync(Patience);
        Assert.All(handles, h => Assert.True(h.Result!.Verified));
    }

    [Fact]
    public async Task Process_async_passes_the_turn_when_the_job_holding_it_has_sent_everything_once()
    {
        var workers = new StandInWorkers();
        var handles = Handles("a:1", "a:1");
        var run = new ProcessPoolDispatcher(workers.Start, "stand-in", 2, TimeSpan.FromMinutes(1), new ManualTimeProvider()).RunAsync(handles, CancellationToken.None);

        var first = await workers.NextSubmission();
        var second = await workers.NextSubmission();
        Assert.True(second.Held);
        first.SendOnce(window: 800, rttMicros: 1_000);
        Assert.Equal(400, await second.Released.Task.WaitAsync(Patience)); // the first has not ended: only its tail is left
        Assert.Null(handles[0].Result);
        first.Finish(window: 800);
        second.Finish(window: 800);
        await run.WaitAsync(Patience);
        Assert.All(handles, h => Assert.True(h.Result!.Verified));
    }

    private static TransferHandle[] Handles(params string[] servers) =>
        servers.Select((s, i) => new TransferHandle(new TransferJob(i + 1, "/f" + i, "f" + i, s, new TransferSettings()))).ToArray();

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(5);
        }
    }

    private sealed record Submission(StandInWorker Worker, TransferHandle Handle, int InitialWindow, long PathRttMicros, bool Held, TaskCompletionSource<PathSample?> SentOnce, TaskCompletionSource<TransferResult> Future)
    {
        /// <summary>The window the job was let go with, once released (a job not held is released at once with its own).</summary>
        public TaskCompletionSource<int> Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Reports every chunk sent once, having measured a pipe of <paramref name="window"/> (a delivery rate far above it).</summary>
        public void SendOnce(int window, long rttMicros) => SentOnce.SetResult(new PathSample(1L << 40, 1, rttMicros, window));

        public void Finish(int window, bool verified = true)
        {
            SentOnce.TrySetResult(null);
            Future.SetResult(Result(window, verified));
        }

        private TransferResult Result(int window, bool verified) => new()
        {
            JobId = Handle.Job.Id,
            Name = Handle.Job.Name,
            Server = Handle.Job.Server,
            Verified = verified,
            PathWindow = window,
            RttMicros = 1_000,
            Bytes = 1L << 40, // a delivery rate far above the window: the window is the pipe
            Seconds = 1,
        };
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
        private readonly Dictionary<int, Submission> _held = [];

        public SubmittedJob Submit(TransferHandle handle, int initialWindow, long pathRttMicros, bool held = false)
        {
            var submission = new Submission(this, handle, initialWindow, pathRttMicros, held, new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously));
            if (held)
            {
                lock (_held)
                {
                    _held.Add(handle.Job.Id, submission);
                }
            }
            else
            {
                submission.Released.SetResult(initialWindow);
            }
            submissions.TryWrite(submission);
            return new SubmittedJob(submission.SentOnce.Task, submission.Future.Task);
        }

        public void Release(int jobId, int initialWindow)
        {
            lock (_held)
            {
                Assert.True(_held.Remove(jobId, out var submission), "released a job that was not held: " + jobId);
                submission.Released.SetResult(initialWindow);
            }
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
