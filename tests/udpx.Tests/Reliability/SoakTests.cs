using System.Diagnostics;
using System.Globalization;
using System.Net;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Relay;
using Udpx.Server;
using Udpx.Tests.Support;
using Xunit.Abstractions;

namespace Udpx.Tests.Reliability;

/// <summary>
/// Many transfers over real sockets through in-process relays with seeded random mixes of loss,
/// duplication, reordering, jitter and corruption, in every mode, from 0 B to 256 MiB. Each transfer
/// must end with an identical file, or fail cleanly (a result with a reason) within its bound; none
/// may hang. The seed is printed, and named in every failure: UDPX_SOAK_SEED=N repeats a run.
/// Outcomes and bytes are asserted, never speed: the bounds only tell a slow transfer from a hung one.
/// </summary>
[Collection(RunAlone.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int RelaysPerBatch = 3;
    private const int Workers = 3;

    /// <summary>A transfer without progress fails after this; the bounds below leave room for it.</summary>
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// No progress for this long is a hang: longer than a sender takes to give up on its own (the connect
    /// and idle timeouts), so a transfer that fails cleanly is seen doing so.
    /// </summary>
    private static readonly TimeSpan StallBound = (ConnectTimeout > IdleTimeout ? ConnectTimeout : IdleTimeout) + TimeSpan.FromSeconds(10);

    private static readonly int[] DatagramSizes = [1472, 1472, 1472, 8972, 65507];

    private static readonly int Seed = ReadSeed();

    [Theory]
    [InlineData("process")]
    [InlineData("thread")]
    [InlineData("process-async")]
    [InlineData("thread-async")]
    public async Task Many_files_through_random_impairments_end_identical_or_fail_cleanly_and_none_hangs(string modeName)
    {
        Assert.True(ConcurrencyModeNames.TryParse(modeName, out var mode));
        int seed = Derive(Seed, modeName);
        var random = new Random(seed);
        var mixes = Enumerable.Range(0, RelaysPerBatch).Select(_ => ImpairmentMix.Draw(random)).ToList();
        // Many small and medium files, the edges of one chunk, and one past the sender's ring of 8,192
        // chunks (in 1472-byte datagrams, so that it is).
        var sizes = new List<long> { 0, 1, random.Next(2, 1444), 1444 + random.Next(0, 3) };
        sizes.AddRange(Enumerable.Range(0, 4).Select(_ => (long)random.Next(2 << 10, 64 << 10)));
        sizes.AddRange(Enumerable.Range(0, 4).Select(_ => (long)random.Next(64 << 10, 1 << 20)));
        sizes.AddRange(Enumerable.Range(0, 3).Select(_ => (long)random.Next(1 << 20, 4 << 20)));
        sizes.AddRange(Enumerable.Range(0, 2).Select(_ => (long)random.Next(4 << 20, 8 << 20)));
        var plan = sizes.Select((size, i) => new PlannedTransfer(i + 1, size, i % RelaysPerBatch, DatagramSizes[random.Next(DatagramSizes.Length)])).ToList();
        plan.Add(new PlannedTransfer(plan.Count + 1, random.Next(12 << 20, 24 << 20), plan.Count % RelaysPerBatch, 1472));

        await RunBatchAsync(mode, seed, mixes, plan);
    }

    /// <summary>
    /// Issue 10: on 8ddeb8a a late or duplicated Ack's bitmap, read from its own old cumulative point,
    /// credits a chunk 8,192 chunks ahead that shares its ring slot; the server never gets that chunk
    /// and Finish/Ack exchanges keep both ends waiting for ever (thread mode has no job timeout).
    /// 40±2 ms each way keeps the whole ring in flight; with 2% duplication and 5% of the Acks held back
    /// behind the next, the real binaries of that build stalled in 3 of 4 runs (2 of 10 without the held
    /// Acks; 2±2 ms never filled the ring on 2 cores, and 5±5 ms crawled without stalling).
    /// The stall is a matter of timing: one 256 MiB transfer in this test caught it in 2 of 4 runs, so
    /// thread mode sends it three times, one after the other (about 8 s each when it works).
    /// The large file must arrive: failing cleanly is not enough here.
    /// </summary>
    [Theory]
    [InlineData("thread", 256, 3)]
    [InlineData("process-async", 96, 1)]
    public async Task A_large_file_through_delay_jitter_and_duplication_ends_identical_and_does_not_hang(string modeName, int mebibytes, int rounds)
    {
        Assert.True(ConcurrencyModeNames.TryParse(modeName, out var mode));
        for (int round = 0; round < rounds; round++)
        {
            int seed = Derive(Seed, "large " + modeName + " " + round);
            var mixes = new List<ImpairmentMix> { new(Loss: 0, Duplicate: 2, Reorder: 0, Corrupt: 0, DelayMs: 40, JitterMs: 2) { ReplyReorder = 5 } };
            var plan = new List<PlannedTransfer> { new(1, (long)mebibytes << 20, 0, 1472) };

            await RunBatchAsync(mode, seed, mixes, plan, requireVerified: 1);
        }
    }

    private async Task RunBatchAsync(ConcurrencyMode mode, int seed, List<ImpairmentMix> mixes, List<PlannedTransfer> plan, int? requireVerified = null)
    {
        string context = string.Create(CultureInfo.InvariantCulture, $"soak seed {Seed} (UDPX_SOAK_SEED={Seed} repeats it), mode {mode.Name()}, batch seed {seed}");
        output.WriteLine(context);
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("source"));
        var jobs = new List<TransferJob>();
        foreach (var t in plan)
        {
            string path = folder.File(Path.Combine("source", t.Name));
            SeededFile.Write(path, t.Size, seed + t.Id);
            jobs.Add(new TransferJob(t.Id, path, t.Name, string.Empty, Settings(t)));
        }

        var host = ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), folder.File("out"), new ServerOptions { IdleTimeout = TimeSpan.FromSeconds(10) });
        var relays = new List<UdpRelay>();
        try
        {
            for (int k = 0; k < mixes.Count; k++)
            {
                relays.Add(mixes[k].StartRelay(host.EndPoint, seed + 1000 + k));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"relay {k}: {mixes[k].Flags}, seed {relays[k].Seed}"));
            }
            var handles = jobs.Select((j, i) => new TransferHandle(j with { Server = relays[plan[i].Relay].ListenEndPoint.ToString() }) { FileSize = plan[i].Size }).ToList();
            string Describe(int i) => context + ", " + plan[i].Describe(mixes[plan[i].Relay]);
            var batchBound = BatchBound(mode, plan);
            var dispatcher = DispatcherFactory.Create(mode, Workers, batchBound + TimeSpan.FromSeconds(60));
            var watch = Stopwatch.StartNew();

            var hung = await TransferWatchdog.RunAsync(dispatcher, handles, i => plan[i].Bound, StallBound, batchBound, Describe);

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch of {plan.Count} in {watch.Elapsed.TotalSeconds:F1} s"));
            Assert.True(hung.Count == 0, string.Join('\n', hung));
            Assert.All(handles, h => Assert.NotNull(h.Result));
            Assert.Equal(plan.Count, handles.Count);

            int verified = 0;
            for (int i = 0; i < plan.Count; i++)
            {
                var result = handles[i].Result!;
                string stored = Path.Combine(host.Store.Directory, plan[i].Name);
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  #{plan[i].Id} {plan[i].Size} B via relay {plan[i].Relay}, datagrams of {plan[i].DatagramSize} B: {(result.Verified ? "identical" : "FAILED: " + result.Error)}, {result.Seconds:F2} s, {result.DatagramsSent} sent, {result.Retransmitted} retransmitted"));
                if (result.Verified)
                {
                    verified++;
                    Assert.True(SeededFile.Difference(jobs[i].Path, stored) is null, Describe(i) + ": verified but " + SeededFile.Difference(jobs[i].Path, stored));
                }
                else
                {
                    // Failing cleanly: a reason, and never a wrong file under the name.
                    Assert.False(string.IsNullOrWhiteSpace(result.Error), Describe(i) + ": failed without a reason");
                    Assert.True(!File.Exists(stored) || SeededFile.Difference(jobs[i].Path, stored) is null, Describe(i) + ": failed, and the stored file differs");
                }
            }
            // Clean failures are allowed, but a soak where most transfers fail proves nothing.
            int needed = requireVerified ?? (plan.Count * 4 / 5);
            Assert.True(verified >= needed, context + ": only " + verified + " of " + plan.Count + " transfers verified, " + needed + " needed");
            if (verified == plan.Count)
            {
                Assert.Empty(Directory.EnumerateFiles(host.Store.Directory, ".udpx-*"));
            }
            Assert.Equal(0, host.Protocol.Stats.InternalErrors);

            // The relays really impaired the traffic.
            long impaired = 0;
            for (int k = 0; k < relays.Count; k++)
            {
                var s = relays[k].GetStatistics();
                impaired += s.ClientToServer.Dropped + s.ClientToServer.Duplicated + s.ClientToServer.Reordered + s.ClientToServer.Corrupted
                    + s.ServerToClient.Dropped + s.ServerToClient.Duplicated + s.ServerToClient.Reordered + s.ServerToClient.Corrupted;
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"relay {k}: received {s.ClientToServer.Received}/{s.ServerToClient.Received}, dropped {s.ClientToServer.Dropped}/{s.ServerToClient.Dropped}, duplicated {s.ClientToServer.Duplicated}/{s.ServerToClient.Duplicated}, reordered {s.ClientToServer.Reordered}/{s.ServerToClient.Reordered}, corrupted {s.ClientToServer.Corrupted}/{s.ServerToClient.Corrupted}, delayed {s.ClientToServer.Delayed}/{s.ServerToClient.Delayed}"));
                foreach (var (name, count) in mixes[k].ExpectedEvidence(s))
                {
                    Assert.True(count > 0, context + ", relay " + k + " (" + mixes[k].Flags + "): nothing " + name);
                }
            }
            Assert.True(impaired > 0, context + ": the relays impaired nothing");
        }
        finally
        {
            foreach (var relay in relays)
            {
                await relay.StopAsync();
            }
            host.Dispose();
        }
    }

    private static TransferSettings Settings(PlannedTransfer t) => new()
    {
        DatagramSize = t.DatagramSize,
        ConnectTimeout = ConnectTimeout,
        IdleTimeout = IdleTimeout,
    };

    /// <summary>Room for every transfer when the mode runs them all at once, or a few at a time.</summary>
    private static TimeSpan BatchBound(ConcurrencyMode mode, List<PlannedTransfer> plan)
    {
        var longest = plan.Max(t => t.Bound);
        bool pooled = mode is ConcurrencyMode.ProcessAsync or ConcurrencyMode.ThreadAsync;
        return pooled ? longest + (plan.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Bound) / Workers) : longest + TimeSpan.FromSeconds(30);
    }

    private static int ReadSeed()
    {
        string? text = Environment.GetEnvironmentVariable("UDPX_SOAK_SEED");
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seed) ? seed : Random.Shared.Next();
    }

    private static int Derive(int seed, string text)
    {
        int hash = seed;
        foreach (char c in text)
        {
            hash = unchecked((hash * 31) + c);
        }
        return hash & 0x3fff_ffff;
    }

    /// <summary>One transfer of a batch: its size, the relay it goes through and how long it may take.</summary>
    private sealed record PlannedTransfer(int Id, long Size, int Relay, int DatagramSize)
    {
        public string Name => string.Create(CultureInfo.InvariantCulture, $"soak-{Id}-{Size}.bin");

        /// <summary>A handshake under loss, the idle timeout, and the bytes at a pace far below any healthy run's.</summary>
        public TimeSpan Bound => ConnectTimeout + IdleTimeout + TimeSpan.FromSeconds(10 + (Size / (32 << 20)));

        public string Describe(ImpairmentMix mix) => string.Create(
            CultureInfo.InvariantCulture,
            $"transfer #{Id} ({Size} B, datagrams of {DatagramSize} B) via relay {Relay} [{mix.Flags}]");
    }
}
