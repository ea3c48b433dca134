using System.Diagnostics;
using System.Globalization;
using Udpx.Client;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Tests.Integration;
using Udpx.Tests.Support;
using Xunit.Abstractions;

namespace Udpx.Tests.Reliability;

/// <summary>
/// Each of the four modes through the impairment relay (in this process, between the client and a real
/// server on loopback): loss, duplication, reordering, corruption and delay. Every file must arrive
/// identical. Prints a row per case (time, datagrams, retransmissions, what the relay did) for
/// docs/reliability.md.
/// </summary>
public sealed class ImpairmentTests(ITestOutputHelper output)
{
    private static readonly int[] Sizes = [200_000, 1_000_000];

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var scenario in ImpairmentScenario.All)
            {
                foreach (string mode in ConcurrencyModeNames.All)
                {
                    data.Add(scenario.Name, mode);
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_file_arrives_identical_through_an_impaired_path(string scenarioName, string modeName)
    {
        var scenario = ImpairmentScenario.Named(scenarioName);
        Assert.True(ConcurrencyModeNames.TryParse(modeName, out var mode));
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("source"));
        int seed = StableSeed(scenarioName + "/" + modeName);
        var sources = Sizes.Select((size, i) =>
        {
            string path = folder.Write(Path.Combine("source", "f" + i + ".bin"), Simulation.RandomFile(size, seed + i));
            return new SourceFile(path, Path.GetFileName(path), size);
        }).ToList();
        await using var server = scenario.Start(folder.File("out"), seed);
        // Under 30% loss each way a handshake round trip fails half the time: give it room to retry.
        var settings = new TransferSettings { ConnectTimeout = TimeSpan.FromSeconds(30), IdleTimeout = TimeSpan.FromSeconds(30) };
        var handles = LoopbackServers.Handles(SendPlan.Assign(sources, [server.Address], each: false, settings));
        var watch = Stopwatch.StartNew();

        await DispatcherFactory.Create(mode, workers: 2, TimeSpan.FromMinutes(3)).RunAsync(handles, CancellationToken.None);

        double seconds = watch.Elapsed.TotalSeconds;
        for (int i = 0; i < sources.Count; i++)
        {
            var result = handles[i].Result;
            Assert.NotNull(result);
            Assert.True(result.Verified, scenarioName + ", " + modeName + ": " + result.Error);
            Assert.Equal(File.ReadAllBytes(sources[i].Path), File.ReadAllBytes(Path.Combine(server.Host.Store.Directory, sources[i].Name)));
        }
        Assert.Empty(Directory.EnumerateFiles(server.Host.Store.Directory, ".udpx-*"));
        var relay = server.Relay.GetStatistics();
        long upstream = scenario.Evidence(relay.ClientToServer);
        long downstream = scenario.Evidence(relay.ServerToClient);
        Assert.True(upstream + downstream > 0, "the relay did not impair anything (" + scenario.EvidenceName + " 0)");
        var stats = server.Host.Protocol.Stats;
        Assert.Equal(0, stats.InternalErrors);

        long sent = handles.Sum(h => h.Result!.DatagramsSent);
        long retransmitted = handles.Sum(h => h.Result!.Retransmitted);
        long duplicates = server.Host.Protocol.Sessions.Sum(s => s.Duplicates);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {scenarioName} | {modeName} | {seconds:F2} | {sent} | {retransmitted} ({100.0 * retransmitted / sent:F1}%) | {scenario.EvidenceName} {upstream}/{downstream} | {duplicates} | {stats.BadChecksum} |"));
    }

    private static int StableSeed(string text)
    {
        int hash = 17;
        foreach (char c in text)
        {
            hash = unchecked((hash * 31) + c);
        }
        return hash & 0x7fff_ffff;
    }
}
