using System.Runtime;

namespace Udpx.Tests.Architecture;

/// <summary>
/// The zero-allocation tests read <see cref="GC.GetAllocatedBytesForCurrentThread"/> while other tests
/// allocate beside them. When a background collection starts, that counter moves on every other thread by
/// the unused rest of the thread's allocation context, up to about 8 KB, with nothing allocated (a thread
/// that only spins read 2-7 KB in 135 of 2,000 windows while gen2 collections ran concurrently; none when
/// they ran blocking). RelayLaneTests once failed so with 7,368 bytes. The test process therefore collects
/// blocking only: ConcurrentGarbageCollection in udpx.Tests.csproj.
/// </summary>
public sealed class AllocationCounterTests
{
    [Fact]
    public void The_test_process_collects_without_background_collections()
    {
        Assert.True(
            GCSettings.LatencyMode == GCLatencyMode.Batch,
            $"GC latency mode {GCSettings.LatencyMode}: background collections would move the per-thread allocation counter the allocation tests read");
    }
}
