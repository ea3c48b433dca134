using Xunit.Abstractions;

namespace Udpx.Tests.Congestion;

/// <summary>
/// Start-up into a buffer of a few milliseconds (a switch, a virtual bridge: the real GNS3 lab's ubridge path)
/// with two transfers starting together, as the lab's two images do. Start-up doubles the window every round; a
/// queue read a round late must end it before the buffer overflows, or a short transfer resends a good part of
/// itself. Virtual clock: the figures are exact for the seed.
/// </summary>
public sealed class StartupTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(200e6, 5_000, 700, 882 * 1024)]
    [InlineData(100e6, 5_000, 1_000, 882 * 1024)]
    [InlineData(200e6, 3_000, 500, 882 * 1024)]
    [InlineData(200e6, 3_000, 500, 8 * 1024 * 1024)]
    public void Two_start_ups_into_a_shallow_buffer_resend_little(double rate, long buffer, long oneWay, int size)
    {
        var sim = new PathSimulation(new SharedBottleneck(rate, buffer), oneWay);
        var first = sim.AddUdpx(size);
        var second = sim.AddUdpx(size / 3, startAt: 100);
        sim.Run(60_000_000, 0);

        var a = first.Counters.Snapshot();
        var b = second.Counters.Snapshot();
        double resent = (a.Retransmitted + b.Retransmitted) / (double)(a.DatagramsSent + b.DatagramsSent);
        double ideal = (size + (size / 3)) / sim.Bottleneck.BytesPerSecond * 1e6;
        output.WriteLine($"resent {a.Retransmitted}/{a.DatagramsSent} and {b.Retransmitted}/{b.DatagramsSent} ({resent:P1}), done at {sim.Now / 1000.0:F1} ms, {sim.Now / ideal:F2}x the bottleneck's time");
        Assert.True(first.Sender.IsFinished && second.Sender.IsFinished);
        // Before start-up read a 1 ms queue on short paths: 6.8-14.5% resent and 1.45-1.62x the bottleneck's time at
        // the 882 KiB points.
        Assert.True(resent <= 0.06, $"resent {resent:P1}");
        Assert.True(sim.Now <= 1.6 * ideal + (20 * oneWay), $"done at {sim.Now} µs, ideal {ideal:F0} µs");
    }
}
