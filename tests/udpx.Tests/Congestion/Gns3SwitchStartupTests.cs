using Xunit.Abstractions;

namespace Udpx.Tests.Congestion;

/// <summary>
/// The real GNS3 lab's two transfers (the lab's image sizes) through its switch: one socket buffer of about 92
/// datagrams that both share, forwarded by a process that is descheduled now and then, with the host's jitter,
/// the second transfer starting 10 ms after the first (process mode's children start that far apart). Both
/// start-ups overshoot into the buffer (docs/performance.md, "The real GNS3 lab's retransmissions"): 5.4-8.3%
/// resent before the short path's start-up ceiling, 0.0-2.0% with it. Virtual clock: exact for each seed.
/// </summary>
public sealed class Gns3SwitchStartupTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Two_start_ups_through_the_gns3_switch_resend_under_3_percent(int seed)
    {
        var bottleneck = new SharedBottleneck(250e6, 4_400, seed: seed) { StallMicros = 3_000, StallEveryMicros = 20_000 };
        var sim = new PathSimulation(bottleneck, 700, seed: seed) { JitterMicros = 300 };
        var first = sim.AddUdpx(903_464);
        var second = sim.AddUdpx(306_290, startAt: 10_100);
        sim.Run(60_000_000, 0);

        var a = first.Counters.Snapshot();
        var b = second.Counters.Snapshot();
        double resent = (a.Retransmitted + b.Retransmitted) / (double)(a.DatagramsSent + b.DatagramsSent);
        output.WriteLine($"resent {a.Retransmitted}/{a.DatagramsSent} and {b.Retransmitted}/{b.DatagramsSent} ({resent:P1}), done at {sim.Now / 1000.0:F1} ms");
        Assert.True(first.Sender.IsFinished && second.Sender.IsFinished);
        Assert.True(resent <= 0.03, $"resent {resent:P1}");
    }
}
