using Udpx.Bench;

namespace Udpx.Tests.Bench;

public sealed class MedianTests
{
    [Fact]
    public void Odd_count_takes_the_middle_value_whatever_the_order() =>
        Assert.Equal(3.0, Median.Of([9.0, 1.0, 3.0]));

    [Fact]
    public void Even_count_takes_the_mean_of_the_two_middle_values() =>
        Assert.Equal(2.5, Median.Of([4.0, 1.0, 2.0, 3.0]));

    [Fact]
    public void One_slow_run_does_not_move_it() =>
        Assert.Equal(0.5, Median.Of([0.5, 0.49, 7.0]));

    [Fact]
    public void Nothing_measured_is_NaN_and_NaN_values_are_ignored()
    {
        Assert.True(double.IsNaN(Median.Of([])));
        Assert.Equal(2.0, Median.Of([double.NaN, 2.0]));
    }

    [Fact]
    public void A_point_reports_the_median_time_and_throughput_over_it()
    {
        var samples = new[] { 2.0, 1.0, 4.0 }.Select(s => new BenchSample { Seconds = s, Datagrams = 1000, Verified = true }).ToList();
        var point = new BenchPointResult("thread", 0, 1_000_000, 10, 1472, samples);

        Assert.Equal(2.0, point.MedianSeconds);
        Assert.Equal(5_000_000, point.BytesPerSecond);
        Assert.Equal(500, point.DatagramsPerSecond);
        Assert.Equal(0.2, point.SecondsPerFile, 9);
        Assert.True(point.Ok);
        Assert.False((point with { Samples = [.. samples, new BenchSample { Seconds = 1, Verified = false }] }).Ok);
    }
}
