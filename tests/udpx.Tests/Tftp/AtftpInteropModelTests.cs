using Udpx.Tests.Support;
using Udpx.Tftp;
using Xunit.Abstractions;

namespace Udpx.Tests.Tftp;

/// <summary>
/// udpx's TFTP sender (the server answering a read) against a model of atftp's windowed client
/// (<see cref="AtftpReceiveModel"/>), under a virtual clock with 10% loss both ways. atftp answers a gap
/// or a repeated window with one extra ACK and then ignores everything out of order until its timeout,
/// which only a whole timeout of silence lets fire: a sender that keeps retransmitting the window at
/// the negotiated timeout or faster never lets it, and both wait on each other until the sender gives
/// up (seen in CI: "got wrong block &lt;block: 19&gt;, ignoring" until "no acknowledgement after 10
/// retransmissions").
/// </summary>
public sealed class AtftpInteropModelTests(ITestOutputHelper output)
{
    private const long Second = 1_000_000;

    [Fact]
    public void Every_read_completes_at_10_percent_loss_both_ways_whatever_the_seed()
    {
        // 31 blocks of 1468 bytes, windowsize 8, timeout 1 s: the stock-client test's atftp read.
        byte[] file = Simulation.RandomFile((30 * 1468) + 5, 1);
        var failed = new List<string>();
        for (int seed = 1; seed <= 400; seed++)
        {
            var (sender, receiver, link) = Read(file, seed, oneWayMicros: 100);
            link.Run(600 * Second);
            if (receiver.State != TftpTransferState.Completed || !receiver.File.AsSpan().SequenceEqual(file))
            {
                failed.Add($"seed {seed}: sender {sender.State} ({sender.Failure}), receiver {receiver.State} ({receiver.Failure}) at {link.NowMicros / 1e6:F1} s");
            }
        }
        Assert.True(failed.Count == 0, failed.Count + " of 400 reads failed:\n" + string.Join('\n', failed.Take(10)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(500)]
    [InlineData(3_000)]
    public void Every_write_completes_at_10_percent_loss_both_ways_whatever_the_seed(long blockIntervalMicros)
    {
        // The stock-client test's atftp write: 31 blocks of 1468 bytes, windowsize 8, timeout 1 s; a block
        // interval past our ACK delay (a loaded machine) has the ACK of a part window reach atftp mid-window.
        byte[] file = Simulation.RandomFile((30 * 1468) + 5, 1);
        var failed = new List<string>();
        var seconds = new List<double>();
        long timeouts = 0;
        for (int seed = 1; seed <= 400; seed++)
        {
            var sink = new MemoryStream();
            var receiver = Receiver(sink);
            var sender = new AtftpSendModel(file, 1468, 8, Second, blockIntervalMicros);
            var link = new TftpDelayLink(sender, receiver, oneWayMicros: 100, lossOneIn: 10, seed);
            link.Run(600 * Second);
            seconds.Add(sender.CompletedAt / 1e6);
            timeouts += sender.Counters.Timeouts;
            if (sender.State != TftpTransferState.Completed || receiver.State != TftpTransferState.Completed || !sink.ToArray().AsSpan().SequenceEqual(file))
            {
                failed.Add($"seed {seed}: sender {sender.State} ({sender.Failure}, {sender.Counters.Timeouts} timeouts), receiver {receiver.State} ({receiver.Failure}, {sink.Length} bytes) at {link.NowMicros / 1e6:F1} s");
            }
        }
        seconds.Sort();
        output.WriteLine($"block interval {blockIntervalMicros} µs: median {seconds[200]:F2} s, 95th {seconds[380]:F2} s, worst {seconds[^1]:F2} s for atftp to complete (virtual time); it timed out {timeouts} times in 400 writes");
        Assert.True(failed.Count == 0, failed.Count + " of 400 writes failed:\n" + string.Join('\n', failed.Take(10)));
    }

    [Fact]
    public void A_receiver_that_ignores_a_repeated_window_gets_a_whole_timeout_of_silence_to_ask_again()
    {
        // Its ACK of the whole window and its extra ACK are both lost: only its own timeout can repeat the ACK.
        byte[] file = Simulation.RandomFile((30 * 1468) + 5, 2);
        var sender = Sender(file);
        var receiver = new AtftpReceiveModel(1468, 8, Second);
        var pump = new TftpPump(sender, receiver);
        int acksAfterWindow = 0;
        pump.Drop = (toReceiver, packet) => !toReceiver && IsAck(packet.Span, 8) && acksAfterWindow++ < 2;
        pump.Run();
        Assert.Equal(TftpTransferState.Completed, receiver.State);
        Assert.Equal(file, receiver.File);
        Assert.True(receiver.Counters.Timeouts >= 1, "the receiver's own timeout repeated its ACK");
    }

    private static (TftpBlockSender Sender, AtftpReceiveModel Receiver, TftpDelayLink Link) Read(byte[] file, int seed, long oneWayMicros)
    {
        var sender = Sender(file);
        var receiver = new AtftpReceiveModel(1468, 8, Second);
        return (sender, receiver, new TftpDelayLink(sender, receiver, oneWayMicros, lossOneIn: 10, seed));
    }

    /// <summary>The options atftp asks for in the stock-client test, as the server agrees to them.</summary>
    private static readonly TftpTransferOptions Options = new() { BlockSize = 1468, WindowSize = 8, Timeout = TimeSpan.FromSeconds(1) };

    private static byte[] OptionAck()
    {
        byte[] oack = new byte[64];
        int n = TftpCodec.WriteOptionAck(oack, [new("blksize", "1468"), new("windowsize", "8"), new("timeout", "1")]);
        return oack[..n];
    }

    private static TftpBlockReceiver Receiver(Stream sink) =>
        new(sink, Options, new TftpServerOptions().MaxRetries, long.MaxValue, OptionAck(), 0);

    private static TftpBlockSender Sender(byte[] file) =>
        new(new MemoryStream(file), Options, new TftpServerOptions().MaxRetries, OptionAck());

    private static bool IsAck(ReadOnlySpan<byte> packet, ushort block) =>
        TftpCodec.TryReadOpcode(packet, out var opcode) && opcode == TftpOpcode.Ack
        && TftpCodec.TryReadBlock(packet, out ushort b) && b == block;
}
