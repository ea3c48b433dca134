using Udpx.Engine;
using Udpx.Tests.Support;
using Xunit.Abstractions;

namespace Udpx.Tests.Congestion;

/// <summary>
/// The thread-async soak's rare crawl, under a virtual clock: a path that loses at random and jitters (the soak's
/// relay: 5.3% loss, 1.7% duplication, 8.4% reordering and 1.7% corruption each way, 10±4 ms) and a path
/// controller at a window of 2, where earlier transfers on it left it. A window that small finds its losses by
/// retransmission timeout while acknowledgements still arrive, and reads the path's jitter through two or three
/// samples a round as a queue; each such timeout halved the window, so it stayed at 2-4 for the soak's 25 s
/// (130-190 KB/s). Exact for the seed.
/// </summary>
public sealed class TinyWindowTimeoutTests(ITestOutputHelper output)
{
    private const int FileSize = 4 << 20;

    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(16)]
    public void A_tiny_window_on_a_lossy_jittery_path_grows_out_of_its_timeouts(int seed)
    {
        var (sender, path, seconds) = FromWindowOfTwo(seed, FileSize, s => new ScriptedChannel(s) { Loss = 0.053, Duplicate = 0.017, Reorder = 0.084, Corrupt = 0.017, LatencyMicros = 6_000, JitterMicros = 8_000 });

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        // A window that grows out of it carries the 4 MiB in 0.7-1.7 s (seeds 11, 15 and 17 did so before the fix too).
        // Halving at each timeout, these seeds took 23.5-26.7 s at a window of 2-4 (227-339 decreases); since, 1.6-9.5 s.
        Assert.True(seconds < 12, $"took {seconds:F2} s of virtual time");
    }

    /// <summary>
    /// The soak's crawl in thread mode (its relay 0: 7.3% loss, 1.8% duplication, 2% reordering, 0.6% corruption,
    /// 9±5 ms each way) from a window of 2. The delivery rate of so small a window is the window's: its datagram time
    /// (the RTT over the window, 8 ms) passed the path's jitter for a slow link's queue, so every round "queued",
    /// the random loss was never learnt, and every loss was congestion. Before the fix these seeds took 3.4-9.3 s
    /// of virtual time with 11-88 decreases (seeds 2, 19 and 20 at a window of 2-4 for most of it); since,
    /// 1.3-2.6 s with 1-5.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(19)]
    [InlineData(20)]
    public void A_tiny_window_on_a_jittery_path_learns_its_random_loss_instead_of_reading_jitter_as_a_queue(int seed)
    {
        var (sender, path, seconds) = FromWindowOfTwo(seed, 3 << 20, s => new ScriptedChannel(s) { Loss = 0.073, Duplicate = 0.018, Reorder = 0.02, Corrupt = 0.006, LatencyMicros = 9_000, JitterMicros = 5_000 });

        Assert.True(sender.Outcome.Verified, sender.Outcome.Message);
        Assert.True(path.RandomLoss > 0.05, $"random loss learnt as {path.RandomLoss:P1}");
        Assert.True(path.CongestionEvents <= 8, $"{path.CongestionEvents} decreases for random loss");
        Assert.True(seconds < 4, $"took {seconds:F2} s of virtual time");
    }

    /// <summary>A file over a path that <paramref name="channel"/> makes each way (seeded), from a window of 2; the sender, the path's controller and the virtual seconds taken.</summary>
    private (SenderProtocol Sender, CongestionController Path, double Seconds) FromWindowOfTwo(int seed, int size, Func<int, ScriptedChannel> channel)
    {
        var sim = new Simulation(channel(seed), channel(seed + 100));
        var path = new CongestionController(1472, 8192, CongestionMode.Normal, initialWindow: CongestionController.MinWindow);
        var sender = sim.Run(Simulation.RandomFile(size, seed), options: new SenderOptions { Path = path }, limitMicros: 120_000_000);
        var counters = sim.Counters.Snapshot();
        double seconds = sim.Clock.NowMicros / 1e6;
        output.WriteLine($"{seconds:F2} s virtual, {counters.Retransmitted} of {counters.DatagramsSent} resent (by order {sender.LossesByOrder}, by timeout {sender.LossesByTimeout}), {path.CongestionEvents} decreases, window {path.Window}, random loss {path.RandomLoss:P1}");
        return (sender, path, seconds);
    }
}
