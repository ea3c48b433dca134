using Xunit.Abstractions;

namespace Udpx.Tests.Congestion;

public sealed class TraceTests(ITestOutputHelper output)
{
    private const long Endless = 1L << 34;

    [Theory]
    [InlineData(1000e6, 0, 10_000, 1_000, 9.1, 0)]
    [InlineData(1000e6, 0, 6_000, 5_000, 0, 0)]
    [InlineData(100e6, 5_000, 10_000, 0, 0, 1)]
    [InlineData(100e6, 50_000, 10_000, 0, 0, 1)]
    [InlineData(10e6, 20_000, 5_000, 0, 0, 1)]
    [InlineData(100e6, 100_000, 25_000, 0, 0, 0)]
    public void Trace(double rate, long buffer, long oneWay, long jitter, double reorder, int cubic)
    {
        var sim = new PathSimulation(new SharedBottleneck(rate, Math.Max(buffer, 1000)), oneWay) { JitterMicros = jitter, ReorderPercent = reorder, ReorderHoldMicros = 5_000 };
        var flow = sim.AddUdpx(Endless);
        CubicFlow? tcp = cubic > 0 ? sim.AddCubic(startAt: 2_000_000) : null;
        long lastBytes = 0;
        long step = Environment.GetEnvironmentVariable("TRACE_STEP") is { } st ? long.Parse(st) : 500_000;
        for (long t = step; t <= 30_000_000; t += step)
        {
            sim.Run(t, 0);
            var c = flow.Sender.Congestion;
            long bytes = sim.Bottleneck.DepartedBytes.GetValueOrDefault(flow.Id);
            output.WriteLine($"{t / 1e6,5:F2}s udpx {(bytes - lastBytes) * 8 / (step / 1e6) / 1e6,6:F1} Mbit/s cwnd {c.Window,5} q {c.QueueDelayMicros,6} comp {c.Competing} start {c.InStartup} ev {c.CongestionEvents} rl {c.RandomLoss:P1} tcp {tcp?.Window}");
            lastBytes = bytes;
        }
        double total = sim.Throughput(flow.Id, 30_000_000);
        double tcpT = tcp is null ? 0 : sim.Throughput(tcp.Id, 30_000_000);
        output.WriteLine($"udpx {total * 8 / 1e6:F1} Mbit/s, tcp {tcpT * 8 / 1e6:F1}, queue {sim.Bottleneck.MeanQueueMicros:F0} us");
    }
}
