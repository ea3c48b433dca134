using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using Udpx.Client;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Net;
using Udpx.Server;
using Xunit.Abstractions;

namespace Udpx.Tests.Engine;

/// <summary>Measures whole-process allocation, so nothing else may run at the same time.</summary>
[CollectionDefinition(nameof(SerialAllocationGroup), DisableParallelization = true)]
public sealed class SerialAllocationGroup;

/// <summary>
/// The send path allocates nothing per datagram: sending ten times as many datagrams must not allocate
/// measurably more. Asserted on bytes, never on time.
/// </summary>
[Collection(nameof(SerialAllocationGroup))]
public sealed class AllocationTests(ITestOutputHelper output)
{
    // Both large enough for the full window (8192 chunks), so the per-transfer buffers are the same size.
    private const int Small = 13_000_000;  // ~9,000 datagrams of 1472 bytes
    private const int Large = 100_000_000; // ~69,300 datagrams

    // Samples (one per ~100 KiB allocated) that one 24-byte object per datagram would add over two
    // large runs against two small ones: 2 x 60,600 more datagrams x 24 B / 102,400 B, about 28.
    private const int PerDatagramSamples = (int)(2L * ((Large - Small) / 1436) * 24 / 102_400);

    [Fact]
    public void The_blocking_driver_allocates_nothing_per_datagram()
    {
        // The warm-up runs send names that are sent again: the server replaces them.
        using var servers = new Integration.LoopbackServers(count: 1, options: new Udpx.Server.ServerOptions { Overwrite = true });
        string smallPath = servers.MakeFile("s", Small, 1);
        string largePath = servers.MakeFile("l", Large, 2);
        // Warm up both sizes: tiering and on-stack replacement compile on the running thread.
        Run(servers, smallPath, "w");
        Run(servers, largePath, "w");
        long t0 = GC.GetTotalAllocatedBytes(true);
        var small = Run(servers, smallPath, "s");
        long t1 = GC.GetTotalAllocatedBytes(true);
        var large = Run(servers, largePath, "l");
        long t2 = GC.GetTotalAllocatedBytes(true);
        output.WriteLine($"process-wide (client thread and server): small {t1 - t0} B, large {t2 - t1} B");
        output.WriteLine($"thread: {small.DatagramsSent} datagrams -> {small.AllocatedBytes} B; {large.DatagramsSent} datagrams -> {large.AllocatedBytes} B");
        Assert.True(large.DatagramsSent > 7 * small.DatagramsSent, "the large run must send several times the datagrams");
        Assert.True(large.AllocatedBytes - small.AllocatedBytes < 4096, $"{large.AllocatedBytes - small.AllocatedBytes} more bytes for {large.DatagramsSent - small.DatagramsSent} more datagrams");

        static TransferResult Run(Integration.LoopbackServers servers, string path, string name)
        {
            var job = new TransferJob(1, path, name, servers.Addresses[0], new TransferSettings());
            var result = BlockingTransferDriver.Run(job, new TransferCounters(), new DatagramRing(), CancellationToken.None);
            Assert.True(result.Verified, result.Error);
            return result;
        }
    }

    [Fact]
    public async Task The_async_driver_and_the_server_allocate_nothing_per_datagram()
    {
        // Two receive threads (SO_REUSEPORT): the server's path as `udpx serve` runs it on a multi-core machine.
        using var servers = new Integration.LoopbackServers(count: 1, new ServerOptions { ReceiveThreads = 2 });
        string small = servers.MakeFile("as", Small, 1);
        string large = servers.MakeFile("al", Large, 2);
        // Warm up: JIT, thread pool, socket event args, pooled digest buffers.
        await RunAsync(servers, small);
        await RunAsync(servers, large);
        long smallBytes;
        long largeBytes;
        Dictionary<string, int> smallTypes;
        Dictionary<string, int> largeTypes;
        using (var sampler = new AllocationSampler())
        {
            smallBytes = Math.Min(await MeasureAsync(servers, small), await MeasureAsync(servers, small));
            smallTypes = new(sampler.Types);
        }
        using (var sampler = new AllocationSampler())
        {
            largeBytes = Math.Min(await MeasureAsync(servers, large), await MeasureAsync(servers, large));
            largeTypes = new(sampler.Types);
        }
        output.WriteLine("sampled allocations (one per ~100 KB), small runs: " + string.Join(", ", smallTypes.Select(kv => kv.Key + " x" + kv.Value)));
        output.WriteLine("sampled allocations (one per ~100 KB), large runs: " + string.Join(", ", largeTypes.Select(kv => kv.Key + " x" + kv.Value)));
        // The same per-transfer buffers show in both. The smallest object is 24 bytes, so one allocation
        // per datagram adds at least PerDatagramSamples samples of its type over the two large runs; half
        // of that is the bound. Below it lies only what grows with time, not with datagrams (the thread
        // pool, timers: up to 8 samples of Int64[] were seen here, which a bound of 3 called a failure).
        Assert.All(largeTypes, kv => Assert.True(kv.Value - smallTypes.GetValueOrDefault(kv.Key) < PerDatagramSamples / 2, kv.Key + ": " + kv.Value + " samples in the large runs, " + smallTypes.GetValueOrDefault(kv.Key) + " in the small"));
        output.WriteLine($"thread-async + server, whole process: {Small / 1e6} MB -> {smallBytes} B, {Large / 1e6} MB -> {largeBytes} B");
        // Thread-pool growth and per-transfer buffers make some noise; 50,000 more datagrams must not show.
        Assert.True(largeBytes - smallBytes < 1_000_000, $"{largeBytes - smallBytes} more bytes for ~50,000 more datagrams");
    }

    [Theory]
    [InlineData("process")]
    [InlineData("process-async")]
    public async Task Worker_processes_allocate_nothing_per_datagram(string modeName)
    {
        Assert.True(ConcurrencyModeNames.TryParse(modeName, out var mode));
        using var servers = new Integration.LoopbackServers(count: 1);
        var sources = new[] { servers.MakeFile("ps", Small, 3), servers.MakeFile("pl", Large, 4) }
            .Select(p => new SourceFile(p, Path.GetFileName(p), new FileInfo(p).Length)).ToList();
        var handles = Integration.LoopbackServers.Handles(SendPlan.Assign(sources, servers.Addresses, each: false, new TransferSettings()));

        await DispatcherFactory.Create(mode, 1, TimeSpan.FromMinutes(2)).RunAsync(handles, CancellationToken.None);

        var small = handles[0].Result!;
        var large = handles[1].Result!;
        Assert.True(small.Verified && large.Verified, small.Error + large.Error);
        Assert.NotEqual(Environment.ProcessId, large.ProcessId);
        output.WriteLine($"{modeName}: {small.DatagramsSent} datagrams -> {small.AllocatedBytes} B; {large.DatagramsSent} -> {large.AllocatedBytes} B");
        Assert.True(large.AllocatedBytes >= 0);
        Assert.True(large.AllocatedBytes - small.AllocatedBytes < 4096);
    }

    private static async Task<long> MeasureAsync(Integration.LoopbackServers servers, string path)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await RunAsync(servers, path);
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    private static async Task RunAsync(Integration.LoopbackServers servers, string path)
    {
        var job = new TransferJob(1, path, Path.GetFileName(path) + Guid.NewGuid().ToString("N")[..6], servers.Addresses[0], new TransferSettings());
        var result = await AsyncTransferDriver.RunAsync(job, new TransferCounters(), new DatagramRing(), CancellationToken.None);
        Assert.True(result.Verified, result.Error);
    }

    /// <summary>Samples the runtime's allocation ticks (one event per ~100 KB allocated) by type.</summary>
    private sealed class AllocationSampler : EventListener
    {
        public ConcurrentDictionary<string, int> Types { get; } = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && eventData.PayloadNames is { } names)
            {
                int i = names.IndexOf("TypeName");
                Types.AddOrUpdate(i >= 0 ? eventData.Payload?[i]?.ToString() ?? "?" : "?", 1, (_, n) => n + 1);
            }
        }
    }
}
