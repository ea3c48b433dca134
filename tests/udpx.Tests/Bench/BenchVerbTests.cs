using Udpx.Bench;
using Udpx.Bench.Peers;
using Udpx.Cli;
using Udpx.Common;
using Udpx.Modes;

namespace Udpx.Tests.Bench;

public sealed class BenchVerbTests
{
    [Fact]
    public void Defaults_are_all_four_modes_one_64_MB_file_three_runs()
    {
        var options = BenchVerb.Parse();

        Assert.Equal(4, options.Modes.Count);
        Assert.Equal([64_000_000L], options.Sizes);
        Assert.Equal([1472], options.DatagramSizes);
        Assert.Equal([Environment.ProcessorCount], options.Workers);
        Assert.Equal(3, options.Repeat);
    }

    [Fact]
    public void Worker_counts_multiply_only_the_modes_that_have_workers()
    {
        var options = BenchVerb.Parse("--mode", "thread", "--mode", "thread-async", "--mode", "process-async", "--size", "1M", "--datagram-size", "1472", "--datagram-size", "65507", "--workers", "1", "--workers", "4", "--repeat", "1");

        var points = options.PointsFor(1_000_000).ToList();

        Assert.Equal(2 * (1 + 2 + 2), points.Count);
        Assert.All(points.Where(p => p.Mode == ConcurrencyMode.Thread), p => Assert.Equal(0, p.Workers));
        Assert.Contains(points, p => p.Label == "thread-async \u00d74" && p.DatagramSize == 65507);
    }

    [Theory]
    [InlineData("--mode", "fast")]
    [InlineData("--size", "lots")]
    [InlineData("--datagram-size", "100")]
    [InlineData("--workers", "0")]
    [InlineData("--repeat", "0")]
    public void Bad_values_are_usage_errors(string option, string value)
    {
        var error = Assert.Throws<UserError>(() => BenchVerb.Parse(option, value));
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
    }

    [Fact]
    public void Iperf3_json_gives_the_received_bytes_its_duration_and_the_loss()
    {
        const string json = """
            {"start":{},"end":{"sum_sent":{"seconds":0.1,"bytes":1000,"bits_per_second":80000},
             "sum_received":{"seconds":0.11,"bytes":600,"bits_per_second":43636,"lost_percent":40.0}}}
            """;

        var transfer = Iperf3Peer.Parse(json);

        Assert.Equal(600, transfer.Bytes);
        Assert.Equal(0.11, transfer.Seconds);
        Assert.Null(transfer.ReceivedPath);
        Assert.Equal("sent 0 MB/s, 40.0% lost", transfer.Note);
        Assert.Throws<PeerFailure>(() => Iperf3Peer.Parse("""{"error":"unable to connect"}"""));
    }

    [Fact]
    public async Task A_missing_program_makes_a_peer_not_installed_rather_than_an_error()
    {
        var file = new TestFile("/nonexistent/file.bin", 1000, 0);

        var result = await PeerRunner.RunAsync(new MissingTool(), file, Path.GetTempPath(), 3, _ => { }, CancellationToken.None);

        Assert.Equal(PeerResult.NotInstalled, result.Status);
        Assert.Contains("udpx-no-such-program", result.Detail, StringComparison.Ordinal);
        Assert.Empty(result.Samples);
        Assert.Null(result.BytesPerSecond);
    }

    private sealed class MissingTool : PeerTool
    {
        public override string Name => "missing";

        public override string Settings => "none";

        public override IReadOnlyList<string> Programs => ["udpx-no-such-program-3f9a"];

        public override Task<PeerTransfer> TransferAsync(PeerContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("must not run");
    }
}
