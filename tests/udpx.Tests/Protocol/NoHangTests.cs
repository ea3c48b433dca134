using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>A transfer that cannot make progress ends with a reason, however busy the exchange of control datagrams.</summary>
public sealed class NoHangTests
{
    private static readonly int ChunkSize = Wire.ChunkSizeFor(Wire.EthernetDatagramSize);

    [Fact]
    public void A_chunk_that_never_arrives_ends_the_transfer_at_the_idle_timeout_although_acks_keep_coming()
    {
        // Chunk 40 falls into a black hole every time. Late copies of the other chunks keep arriving for
        // half a minute, and the server acknowledges each at once: the client hears from it all along,
        // but no new data is acknowledged once the rest is in (version 2 waited for ever here).
        var toServer = new ScriptedChannel(1) { DropIf = IsDataOf(40), Duplicate = 0.5, LateDuplicateMicros = 30_000_000 };
        var sim = new Simulation(toServer, new ScriptedChannel(2));
        byte[] file = Simulation.RandomFile(100 * ChunkSize, 1);

        var sender = sim.Run(file, options: new SenderOptions { IdleTimeout = TimeSpan.FromSeconds(15) });

        Assert.True(sender.IsFinished);
        Assert.False(sender.Outcome.Verified);
        Assert.Equal(RejectReason.Expired, sender.Outcome.Reason);
        Assert.Contains("no new data acknowledged for 15 s", sender.Outcome.Message);
        Assert.True(sim.ToServer.Dropped > 5, "chunk 40 must have been sent again and again");
        Assert.InRange(sim.Clock.NowMicros, 15_000_000, 17_000_000);
        Assert.Empty(sim.Store.Committed);
    }

    [Fact]
    public void A_server_that_falls_silent_ends_the_transfer_with_that_reason()
    {
        var toClient = new ScriptedChannel(3) { DropIf = d => d[2] == (byte)MessageType.Ack || d[2] == (byte)MessageType.Done };
        var sim = new Simulation(new ScriptedChannel(4), toClient);
        byte[] file = Simulation.RandomFile(50 * ChunkSize, 3);

        var sender = sim.Run(file, options: new SenderOptions { IdleTimeout = TimeSpan.FromSeconds(5) });

        Assert.False(sender.Outcome.Verified);
        Assert.Contains("stopped answering for 5 s", sender.Outcome.Message);
    }

    [Fact]
    public void The_job_timeout_ends_a_transfer_that_is_progressing_too_slowly()
    {
        var sim = new Simulation(new ScriptedChannel(5), new ScriptedChannel(6));
        byte[] file = Simulation.RandomFile(1_000_000, 5);

        // 100 kB/s: 10 s of work, 2 s allowed.
        var sender = sim.Run(file, options: new SenderOptions { RateBytesPerSecond = 100_000, JobTimeout = TimeSpan.FromSeconds(2) });

        Assert.False(sender.Outcome.Verified);
        Assert.Contains("--job-timeout", sender.Outcome.Message);
        Assert.InRange(sim.Clock.NowMicros, 2_000_000, 2_100_000);
        Assert.Empty(sim.Store.Committed);
    }

    [Fact]
    public void The_deadline_the_driver_sleeps_to_never_passes_the_idle_or_job_timeout()
    {
        byte[] file = Simulation.RandomFile(10 * ChunkSize, 7);
        var options = new SenderOptions { IdleTimeout = TimeSpan.FromSeconds(3), JobTimeout = TimeSpan.FromSeconds(2) };
        var sender = HandDrivenSender.Accepted(0x99, file, options, out long now);
        byte[] buffer = new byte[Wire.EthernetDatagramSize];

        while (!sender.IsFinished && now < 60_000_000)
        {
            while (sender.TryWriteNext(buffer, now) > 0)
            {
            }
            long next = sender.NextDeadline(now);
            Assert.True(next <= 2_000_000 || sender.IsFinished, "sleeping to " + next + " would pass the job timeout");
            now = Math.Max(now + 1, next);
        }

        Assert.True(sender.IsFinished);
        Assert.Contains("--job-timeout", sender.Outcome.Message);
    }

    private static Func<byte[], bool> IsDataOf(ulong chunk) =>
        d => MessageCodec.TryReadData(d, out ulong c, out _, out _) && c == chunk;
}
