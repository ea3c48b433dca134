using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Udpx.Tests.Integration;
using Udpx.Tests.Support;

namespace Udpx.Tests.Bench;

/// <summary>`udpx bench` as the real binary: a small run end to end, and bad input.</summary>
public sealed partial class BenchCommandTests
{
    [Theory]
    [InlineData("unknown mode", "bench", "--mode", "fork")]
    [InlineData("--size", "bench", "--size", "lots")]
    [InlineData("--datagram-size", "bench", "--datagram-size", "70000")]
    [InlineData("--repeat", "bench", "--repeat", "0")]
    public async Task Bad_input_gets_one_line_and_exit_code_2(string message, params string[] args)
    {
        var (code, _, err) = await UdpxProcess.RunAsync(TimeSpan.FromSeconds(60), args);

        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_small_run_checks_every_file_prints_json_writes_the_report_and_cleans_up()
    {
        using var folder = new TempFolder();
        string report = Path.Combine(folder.Path, "report");

        var (code, output, err) = await UdpxProcess.RunAsync(
            TimeSpan.FromMinutes(3),
            "bench", "--mode", "thread", "--mode", "process-async", "--workers", "1", "--size", "200K", "--count", "3", "--repeat", "1", "--json", "--report", report);

        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        var points = json.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(["thread", "process-async"], points.Select(p => p.GetProperty("mode").GetString()));
        Assert.All(points, p =>
        {
            Assert.Equal(600_000, p.GetProperty("totalBytes").GetInt64());
            Assert.True(p.GetProperty("medianSeconds").GetDouble() > 0);
            Assert.True(p.GetProperty("cpuSeconds").GetDouble() >= 0);
        });
        // The worker process's CPU time and memory were seen.
        var sample = points[1].GetProperty("samples")[0];
        Assert.True(sample.GetProperty("childProcesses").GetInt32() >= 1, err);
        Assert.True(sample.GetProperty("childrenPeakBytes").GetInt64() > 0, err);

        Assert.Contains("| thread |", File.ReadAllText(Path.Combine(report, "report.md")), StringComparison.Ordinal);
        Assert.Equal("svg", XDocument.Load(Path.Combine(report, "modes.svg")).Root!.Name.LocalName);

        var temporary = TemporaryFolder().Match(err);
        Assert.True(temporary.Success, err);
        Assert.False(Directory.Exists(temporary.Groups[1].Value), "the generated files were left behind");
    }

    [GeneratedRegex(@"files in (\S+)")]
    private static partial Regex TemporaryFolder();
}
