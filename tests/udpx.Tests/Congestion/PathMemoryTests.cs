using Udpx.Engine;
using Udpx.Modes;
using Udpx.Tests.Support;

namespace Udpx.Tests.Congestion;

/// <summary>The parent's memory of a path's window between worker processes: half of it at once, less the longer the path is idle.</summary>
public sealed class PathMemoryTests
{
    private static TransferJob Job(string server = "a:1", int datagramSize = 1472, bool background = false) =>
        new(1, "/f", "f", server, new TransferSettings { DatagramSize = datagramSize, Background = background });

    /// <summary>A transfer whose delivery rate times RTT is far above its window: the window is what is remembered.</summary>
    private static TransferResult Ended(int window, long rttMicros = 1_000, bool verified = true) =>
        new() { JobId = 1, Name = "f", Server = "a:1", Verified = verified, PathWindow = window, RttMicros = rttMicros, Bytes = 1L << 40, Seconds = 1 };

    [Fact]
    public void A_transfer_that_ended_in_start_up_is_remembered_by_the_pipe_it_filled_not_by_its_window()
    {
        // 8 MiB in 30 ms with a 1 ms RTT: 190 datagrams of 1472 B per round trip, though the window had grown to 5,889.
        var result = new TransferResult { JobId = 1, Name = "f", Server = "a:1", Verified = true, PathWindow = 5_889, RttMicros = 1_000, Bytes = 8 << 20, Seconds = 0.03 };
        Assert.Equal(189, PathMemory.Pipe(result, 1472));
        var memory = new PathMemory(new ManualTimeProvider());
        memory.Record(Job(), result);
        Assert.Equal(94, memory.InitialWindowFor(Job()));
        Assert.Equal(0, PathMemory.Pipe(result with { ResumedBytes = 8 << 20 }, 1472));
    }

    [Fact]
    public void A_path_never_used_starts_cold()
    {
        Assert.Equal(0, new PathMemory(new ManualTimeProvider()).InitialWindowFor(Job()));
    }

    [Fact]
    public void The_next_transfer_resumes_from_half_the_window_the_last_one_ended_with()
    {
        var memory = new PathMemory(new ManualTimeProvider());
        memory.Record(Job(), Ended(400));
        Assert.Equal(200, memory.InitialWindowFor(Job()));
    }

    [Fact]
    public void Idle_the_window_halves_every_ageing_period_and_is_dropped_once_no_larger_than_the_initial_one()
    {
        var clock = new ManualTimeProvider();
        var memory = new PathMemory(clock);
        memory.Record(Job(), Ended(400, rttMicros: 1_000)); // 8 RTTs are 8 ms: the 50 ms floor applies
        var seen = new List<int>();
        foreach (int ms in new[] { 49, 50, 100, 150, 200 })
        {
            clock.AdvanceTo(ms * 1_000L);
            seen.Add(memory.InitialWindowFor(Job()));
        }
        Assert.Equal(new[] { 200, 100, 50, 25, 0 }, seen);
    }

    [Fact]
    public void On_a_long_path_the_ageing_period_is_eight_round_trips()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(400), PathMemory.AgeingPeriod(50_000));
        Assert.Equal(TimeSpan.FromMilliseconds(50), PathMemory.AgeingPeriod(20));
        Assert.Equal(1000, PathMemory.Resume(2000, 50_000, TimeSpan.FromMilliseconds(399)));
        Assert.Equal(500, PathMemory.Resume(2000, 50_000, TimeSpan.FromMilliseconds(400)));
    }

    [Fact]
    public void A_path_idle_past_the_in_process_forget_time_starts_cold_however_large_its_window_was()
    {
        Assert.Equal(0, PathMemory.Resume(1 << 16, 10_000_000, SharedPaths.ForgetAfter + TimeSpan.FromMilliseconds(1)));
        Assert.Equal(0, PathMemory.Resume(1 << 16, 1_000, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void The_round_trip_is_remembered_for_the_next_handshake_until_the_path_is_forgotten()
    {
        var clock = new ManualTimeProvider();
        var memory = new PathMemory(clock);
        Assert.Equal(0, memory.RttFor(Job()));
        memory.Record(Job(), Ended(8, rttMicros: 2_500)); // a window too small to resume from: the round trip still counts
        Assert.Equal((0, 2_500L), (memory.InitialWindowFor(Job()), memory.RttFor(Job())));
        Assert.Equal(0, memory.RttFor(Job(server: "b:1")));
        clock.Advance(SharedPaths.ForgetAfter);
        Assert.Equal(2_500, memory.RttFor(Job()));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, memory.RttFor(Job()));

        // 32 kB in 11 ms with a 447 µs round trip: a pipe of 0.9 datagrams, a cold start, and the round trip kept.
        memory.Record(Job(), new TransferResult { JobId = 1, Name = "f", Server = "a:1", Verified = true, PathWindow = 39, RttMicros = 447, Bytes = 32_768, Seconds = 0.011 });
        Assert.Equal((0, 447L), (memory.InitialWindowFor(Job()), memory.RttFor(Job())));
    }

    [Fact]
    public void A_failed_transfer_forgets_the_path()
    {
        var memory = new PathMemory(new ManualTimeProvider());
        memory.Record(Job(), Ended(400));
        memory.Record(Job(), Ended(800, verified: false));
        Assert.Equal(0, memory.InitialWindowFor(Job()));
    }

    [Fact]
    public void Each_server_datagram_size_and_mode_is_its_own_path_and_tftp_never_resumes()
    {
        var memory = new PathMemory(new ManualTimeProvider());
        memory.Record(Job(), Ended(400));
        Assert.Equal(0, memory.InitialWindowFor(Job(server: "b:1")));
        Assert.Equal(0, memory.InitialWindowFor(Job(datagramSize: 65507)));
        Assert.Equal(0, memory.InitialWindowFor(Job(background: true)));
        var tftp = Job() with { Settings = new TransferSettings { Tftp = new TftpTransferSettings(false, 1468, 16) } };
        Assert.Equal(0, memory.InitialWindowFor(tftp));
    }
}
