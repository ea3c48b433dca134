using Udpx.Demo;
using Udpx.Demo.Recording;
using Udpx.Modes;
using Udpx.Tests.Ui;

namespace Udpx.Tests.Demo;

public sealed class RunRecorderTests
{
    [Fact]
    public void Each_sample_adds_a_point_per_transfer_with_its_rtt_and_retransmissions()
    {
        var a = SendViewModelTests.Handle(1, "a.png", "127.0.0.1:9001", 10_000);
        var b = SendViewModelTests.Handle(2, "b.png", "127.0.0.1:9002", 10_000);
        var recorder = new RunRecorder([a, b], [], ["127.0.0.1:9001", "127.0.0.1:9002"]);

        a.Counters.AddSent(1472, retransmission: false);
        a.Counters.AddSent(1472, retransmission: true);
        a.Counters.AddAck(2_888, rttMicros: 2_500, window: 10);
        Thread.Sleep(2);
        recorder.Sample();
        b.Counters.AddAck(1_444, rttMicros: 750, window: 10);
        Thread.Sleep(2);
        recorder.Sample();
        var run = new DemoRun(ConcurrencyMode.Thread, 0, 1, [SendViewModelTests.Result(a, true), SendViewModelTests.Result(b, true)], []);
        var record = RecordFrom(recorder, run);

        Assert.Equal([1, 2], record.Timelines.Select(t => t.Server));
        Assert.Equal(["a.png", "b.png"], record.Timelines.Select(t => t.Name));
        var pa = record.Timelines[0].Points;
        var pb = record.Timelines[1].Points;
        Assert.Equal(0, pa[0].Seconds);
        Assert.Equal(2.5, pa[1].RttMillis);
        Assert.Equal(1, pa[1].Retransmitted);
        Assert.True(pa[1].BytesPerSecond > 0);
        Assert.Equal(0, pb[1].BytesPerSecond);
        Assert.Equal(0.75, pb[2].RttMillis);
        Assert.True(pb[2].BytesPerSecond > 0);
        Assert.True(pa.Zip(pa.Skip(1)).All(p => p.Second.Seconds > p.First.Seconds));
    }

    [Fact]
    public void A_transfer_that_ends_before_any_progress_still_gets_its_result_on_the_line()
    {
        // The process modes: a short transfer's result may come before any progress report.
        var a = SendViewModelTests.Handle(1, "a.png", "127.0.0.1:9001", 10_000);
        var recorder = new RunRecorder([a], [], ["127.0.0.1:9001"]);
        Thread.Sleep(2);
        recorder.Sample();
        Thread.Sleep(2);
        recorder.Sample();
        a.Complete(SendViewModelTests.Result(a, verified: true) with { RttMicros = 1_360 });
        Thread.Sleep(2);
        recorder.Sample();

        var points = RecordFrom(recorder, new DemoRun(ConcurrencyMode.Process, 0, 1, [a.Result!], [])).Timelines[0].Points;

        Assert.Equal(0, points[1].BytesPerSecond);
        Assert.Equal(0, points[2].BytesPerSecond);
        Assert.True(points[3].BytesPerSecond > 0);
        Assert.Equal(1.36, points[3].RttMillis);
    }

    private static RecordedRun RecordFrom(RunRecorder recorder, DemoRun run) =>
        recorder.RecordAsync(Task.FromResult(run)).GetAwaiter().GetResult();
}
