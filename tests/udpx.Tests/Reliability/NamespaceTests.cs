using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Udpx.Tests.Support;
using Xunit.Abstractions;

namespace Udpx.Tests.Reliability;

/// <summary>
/// The real udpx binary across a real (virtual) network: `udpx serve` in two server namespaces, `udpx send`
/// in a client namespace, a bridge between them, and nftables dropping 10% of the UDP arriving at each
/// host. Root only; skipped with the reason otherwise.
/// </summary>
public sealed class NamespaceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [SkippableTheory]
    [InlineData("process")]
    [InlineData("thread")]
    [InlineData("process-async")]
    [InlineData("thread-async")]
    public async Task Files_cross_a_bridge_with_10_percent_udp_loss_to_two_servers_in_their_own_namespaces(string mode)
    {
        string? why = NetworkLab.WhyUnavailable();
        Skip.If(why is not null, why);
        using var folder = new TempFolder();
        using var lab = NetworkLab.Create(lossOneIn: 10);
        int[] sizes = [1_000_000, 500_000];
        var sources = sizes.Select((size, i) => folder.Write("file" + i + ".bin", Simulation.RandomFile(size, i + 1))).ToList();
        var servers = new List<UdpxChild>();
        try
        {
            var to = new List<string>();
            for (int i = 0; i < lab.Servers.Count; i++)
            {
                string bind = NetworkLab.ServerAddresses[i] + ":9000";
                var (server, _) = await UdpxChild.ServeAsync(lab.Servers[i], bind, folder.File("server" + i));
                servers.Add(server);
                to.AddRange(["--to", bind]);
            }
            var watch = Stopwatch.StartNew();

            using var client = UdpxChild.Start(lab.Client, ["send", .. sources, .. to, "--mode", mode, "--workers", "2", "--connect-timeout", "30", "--json"]);
            var (code, stdout, stderr) = await client.WaitForExitAsync(Patience);

            Assert.True(code == 0, "exit " + code + ": " + stdout + stderr);
            for (int i = 0; i < sources.Count; i++)
            {
                Assert.Equal(File.ReadAllBytes(sources[i]), File.ReadAllBytes(Path.Combine(folder.File("server" + i), Path.GetFileName(sources[i]))));
            }
            long drops = NetworkLab.Drops(lab.Client) + lab.Servers.Sum(NetworkLab.Drops);
            Assert.True(drops > 0, "nftables dropped nothing");
            using var report = JsonDocument.Parse(stdout);
            var transfers = report.RootElement.GetProperty("transfers").EnumerateArray().ToList();
            long sent = transfers.Sum(t => t.GetProperty("datagramsSent").GetInt64());
            long retransmitted = transfers.Sum(t => t.GetProperty("retransmitted").GetInt64());
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| namespaces, nft drop 1 in 10 | {mode} | {watch.Elapsed.TotalSeconds:F2} | {sent} | {retransmitted} ({100.0 * retransmitted / sent:F1}%) | nft dropped {drops} |"));
        }
        finally
        {
            foreach (var server in servers)
            {
                server.Dispose();
            }
        }
    }
}
