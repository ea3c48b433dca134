using Udpx.Ui.Models;

namespace Udpx.Tests.Ui;

public sealed class RateTests
{
    [Fact]
    public void A_rate_meter_measures_over_its_window_and_starts_over_when_the_total_goes_down()
    {
        var meter = new RateMeter(windowMicros: 1_000_000);
        Assert.Equal(0, meter.Update(0, 0));
        Assert.Equal(1_000_000, meter.Update(250_000, 250_000), 3);
        Assert.Equal(1_000_000, meter.Update(500_000, 500_000), 3);
        // The rate changes: the window forgets the old pace within a second.
        meter.Update(1_000_000, 1_000_000);
        meter.Update(1_500_000, 1_000_000);
        Assert.Equal(0, meter.Update(2_100_000, 1_000_000), 3);
        Assert.Equal(0, meter.Update(2_200_000, 10));
        Assert.Equal(100, meter.Update(3_200_000, 110), 3);
    }

    [Fact]
    public void The_history_closes_whole_seconds_spreads_gaps_and_keeps_a_minute()
    {
        var history = new RateHistory(60);
        history.Update(0, 0);
        history.Update(500_000, 400);
        Assert.Equal(0, history.Count);
        history.Update(1_000_000, 1000);
        Assert.Equal([1000.0], history.ToArray());
        history.Update(3_000_000, 5000);
        Assert.Equal([1000.0, 2000, 2000], history.ToArray());
        Assert.Equal(2000, history.Latest);
        Assert.Equal(2000, history.Peak);
        for (int s = 4; s <= 100; s++)
        {
            history.Update(s * 1_000_000L, 5000 + ((s - 3) * 10L));
        }
        Assert.Equal(60, history.Count);
        Assert.All(history.ToArray(), v => Assert.Equal(10, v));
        Assert.Equal(10, history.Peak);
    }
}
