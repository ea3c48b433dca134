using System.Buffers.Binary;
using Udpx.Tests.Support;
using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>The sender and receiver state machines against each other, under a virtual clock: loss, duplicates, rollover, windows, refusals.</summary>
public sealed partial class TftpStateMachineTests
{
    private static readonly byte[] Ack0 = [0, 4, 0, 0];

    [Theory]
    [InlineData(512, 1, 0)]
    [InlineData(512, 1, 1)]
    [InlineData(512, 1, 512)]
    [InlineData(512, 1, 5000)]
    [InlineData(1468, 16, 1468 * 40)]
    [InlineData(8, 4, 8 * 4)]
    public void A_clean_link_delivers_the_file_byte_for_byte(int blksize, int window, int size)
    {
        byte[] file = Simulation.RandomFile(size, size + 1);
        var (sender, receiver, sink) = Pair(file, blksize, window);
        new TftpPump(sender, receiver).Run();
        Assert.Equal(TftpTransferState.Completed, sender.State);
        Assert.Equal(TftpTransferState.Completed, receiver.State);
        Assert.Equal(file, sink.ToArray());
        Assert.Equal(size, sender.Bytes);
    }

    [Fact]
    public void An_exact_multiple_of_the_block_size_ends_with_an_empty_block()
    {
        var (sender, receiver, _) = Pair(new byte[1024], 512, 1);
        var pump = new TftpPump(sender, receiver) { KeepLog = true };
        pump.Run();
        var data = pump.Log.Where(p => p.ToReceiver).Select(p => p.Packet).ToList();
        Assert.Equal(3, data.Count);
        Assert.Equal(4, data[2].Length);
        Assert.Equal(3, BinaryPrimitives.ReadUInt16BigEndian(data[2].AsSpan(2)));
    }

    [Fact]
    public void Block_numbers_roll_over_from_65535_to_0_and_the_file_stays_whole()
    {
        // 8-byte blocks: 80,000 blocks pass 65535 without a 32 MiB file.
        byte[] file = Simulation.RandomFile((80_000 * 8) + 3, 5);
        var (sender, receiver, sink) = Pair(file, 8, 1);
        var pump = new TftpPump(sender, receiver) { KeepLog = true };
        pump.Run();
        Assert.Equal(file, sink.ToArray());
        var blocks = pump.Log.Where(p => p.ToReceiver).Select(p => BinaryPrimitives.ReadUInt16BigEndian(p.Packet.AsSpan(2))).ToList();
        int wrap = blocks.IndexOf(65535);
        Assert.Equal(0, blocks[wrap + 1]);
        Assert.Equal(1, blocks[wrap + 2]);
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(4, 10)]
    [InlineData(16, 10)]
    [InlineData(16, 3)]
    public void Random_loss_and_duplicates_both_ways_still_deliver_the_file(int window, int lossOneIn)
    {
        byte[] file = Simulation.RandomFile(300 * 512 + 77, window);
        var (sender, receiver, sink) = Pair(file, 512, window, maxRetries: 50);
        var random = new Random(window * 31 + lossOneIn);
        var pump = new TftpPump(sender, receiver)
        {
            Drop = (_, _) => random.Next(lossOneIn) == 0,
            Duplicate = (_, _) => random.Next(20) == 0,
        };
        pump.Run();
        Assert.True(sender.State == TftpTransferState.Completed, "sender: " + sender.Failure + "; receiver: " + receiver.State + " " + receiver.Failure);
        Assert.Equal(file, sink.ToArray());
        Assert.True(sender.Counters.Retransmitted > 0);
    }

    [Fact]
    public void A_lost_block_in_lockstep_is_sent_again_after_the_round_trip_timeout_and_not_before()
    {
        var sender = new TftpBlockSender(new MemoryStream(new byte[2000]), new TftpTransferOptions(), 5);
        var buffer = new byte[600];
        sender.TryWrite(buffer, 0);
        sender.OnPacket(Ack(1), 100);
        Assert.Equal(516, sender.TryWrite(buffer, 100));
        // DATA 2 is lost. It goes out again one retransmission timeout later: at least the 20 ms floor
        // (this link's round trip is 100 µs), far less than the negotiated second, and not before.
        long again = sender.Deadline;
        Assert.InRange(again - 100, TftpBlockSender.MinRetransmitMicros, 100_000);
        sender.OnTimer(again - 1);
        Assert.Equal(0, sender.TryWrite(buffer, again - 1));
        sender.OnTimer(again);
        Assert.Equal(516, sender.TryWrite(buffer, again));
        Assert.Equal(2, Block(buffer));
        Assert.Equal(1, sender.Counters.Retransmitted);
    }

    [Fact]
    public void The_retransmission_timeout_doubles_on_each_timeout_in_a_row_up_to_the_negotiated_one_then_up_to_eight_of_them_and_resets_on_an_ack()
    {
        var sender = new TftpBlockSender(new MemoryStream(new byte[2000]), new TftpTransferOptions(), 10);
        var buffer = new byte[600];
        sender.TryWrite(buffer, 0);
        // No round trip measured yet: the negotiated timeout (RFC 6298's initial RTO is a second too).
        Assert.Equal(1_000_000, sender.RetransmitMicros);
        sender.OnPacket(Ack(1), 100);
        sender.TryWrite(buffer, 100);
        Assert.Equal(TftpBlockSender.MinRetransmitMicros, sender.RetransmitMicros);
        Assert.Equal(100 + TftpBlockSender.MinRetransmitMicros, sender.Deadline);
        sender.OnTimer(sender.Deadline);
        Assert.Equal(2 * TftpBlockSender.MinRetransmitMicros, sender.RetransmitMicros);
        var waits = new List<long>();
        for (int i = 0; i < 11; i++)
        {
            long sent = sender.Deadline;
            sender.TryWrite(buffer, sent);
            sender.OnTimer(sent);
            waits.Add(sender.Deadline - sent);
        }
        // 80 ms ... 640 ms, then the negotiated second; past it 2, 4 and 8 s, so that a receiver that waits for a
        // whole timeout of silence before it asks again (atftp) is not kept waiting by our repeats.
        Assert.Equal([80_000, 160_000, 320_000, 640_000, 1_000_000, 2_000_000, 4_000_000, 8_000_000, 8_000_000, 8_000_000, 8_000_000], waits);
        Assert.Equal(TftpTransferState.Running, sender.State);
        sender.OnPacket(Ack(2), sender.Deadline);
        Assert.Equal(TftpBlockSender.MinRetransmitMicros, sender.RetransmitMicros);
    }

    [Fact]
    public void A_duplicate_ack_in_lockstep_never_causes_a_retransmission()
    {
        var sender = new TftpBlockSender(new MemoryStream(new byte[2000]), new TftpTransferOptions(), 5);
        var buffer = new byte[600];
        Assert.True(sender.TryWrite(buffer, 0) > 0);
        sender.OnPacket(Ack(1), 10);
        Assert.True(sender.TryWrite(buffer, 10) > 0);
        Assert.Equal(2, Block(buffer));
        // A late repeat of ACK 1 (the Sorcerer's Apprentice): nothing goes out.
        sender.OnPacket(Ack(1), 20);
        Assert.Equal(0, sender.TryWrite(buffer, 20));
        Assert.Equal(0, sender.Counters.Retransmitted);
    }

    [Fact]
    public void In_a_window_an_ack_of_an_earlier_block_sends_the_rest_again_once()
    {
        var options = new TftpTransferOptions { WindowSize = 4 };
        var sender = new TftpBlockSender(new MemoryStream(new byte[512 * 10]), options, 5);
        var buffer = new byte[600];
        var sent = new List<int>();
        while (sender.TryWrite(buffer, 0) is > 0)
        {
            sent.Add(Block(buffer));
        }
        Assert.Equal([1, 2, 3, 4], sent);
        // The receiver got 1 only: it acknowledges 1, RFC 7440's "start again after 1".
        sender.OnPacket(Ack(1), 100);
        sender.OnPacket(Ack(1), 110);
        sent.Clear();
        while (sender.TryWrite(buffer, 120) is > 0)
        {
            sent.Add(Block(buffer));
        }
        Assert.Equal(2, sent[0]);
        // A second repeat of the same ACK does not rewind again.
        sender.OnPacket(Ack(1), 130);
        Assert.Equal(0, sender.TryWrite(buffer, 130));
    }

    [Fact]
    public void The_congestion_window_halves_on_a_gap_and_falls_to_one_block_on_a_timeout()
    {
        var window = new TftpCongestionWindow(16);
        Assert.Equal(4, window.Blocks);
        window.Acknowledged(4);
        window.Acknowledged(8);
        Assert.Equal(16, window.Blocks);
        window.Lost();
        Assert.Equal(8, window.Blocks);
        window.Acknowledged(8);
        Assert.Equal(9, window.Blocks);
        window.TimedOut();
        Assert.Equal(1, window.Blocks);
        for (int i = 0; i < 100; i++)
        {
            window.Acknowledged(16);
        }
        Assert.Equal(16, window.Blocks);
    }

    [Fact]
    public void An_error_from_the_peer_ends_the_transfer_without_an_answer()
    {
        var sender = new TftpBlockSender(new MemoryStream(new byte[2000]), new TftpTransferOptions(), 5);
        var buffer = new byte[600];
        sender.TryWrite(buffer, 0);
        int n = TftpCodec.WriteError(buffer, TftpError.DiskFull, "disk full");
        sender.OnPacket(buffer.AsSpan(0, n), 5);
        Assert.Equal(TftpTransferState.Failed, sender.State);
        Assert.Contains("disk full", sender.Failure, StringComparison.Ordinal);
        Assert.Equal(0, sender.TryWrite(buffer, 6));
    }

    [Fact]
    public void A_sender_gives_up_after_its_retries_with_a_clear_reason()
    {
        var (sender, receiver, _) = Pair(new byte[5000], 512, 1, maxRetries: 3);
        var pump = new TftpPump(sender, receiver) { Drop = (toReceiver, _) => !toReceiver };
        pump.Run();
        Assert.Equal(TftpTransferState.Failed, sender.State);
        Assert.Contains("no acknowledgement after 3", sender.Failure, StringComparison.Ordinal);
        // Only timeouts of the negotiated length (1 s) count: the short ones before them do not end a transfer early.
        Assert.True(pump.NowMicros >= 3_000_000, "gave up after " + pump.NowMicros + " µs");
    }

    [Theory]
    [InlineData(0, 1468, 16)]
    [InlineData(1, 1468, 16)]
    [InlineData(1468, 1468, 16)]
    [InlineData(1468 + 11, 1468, 16)]
    [InlineData(1024, 512, 1)]
    public void A_lost_final_ack_from_a_receiver_that_does_not_linger_fails_as_an_unconfirmed_last_block_with_the_file_delivered(int size, int blksize, int window)
    {
        // atftpd after its final ACK: the transfer is over and its port closed, so a repeated last block gets nothing.
        var options = new TftpTransferOptions { BlockSize = blksize, WindowSize = window };
        var file = Simulation.RandomFile(size, 7);
        var sink = new MemoryStream();
        var sender = new TftpBlockSender(new MemoryStream(file), options, 3);
        var receiver = new TftpBlockReceiver(sink, options, 3, long.MaxValue, Ack0, 0, linger: false);
        receiver.TryWrite(new byte[8], 0);
        ushort last = (ushort)((size / blksize) + 1);
        var pump = new TftpPump(sender, receiver) { Drop = (toReceiver, packet) => !toReceiver && Block(packet) == last };
        pump.Run();
        Assert.Equal(TftpTransferState.Completed, receiver.State);
        Assert.Equal(file, sink.ToArray());
        Assert.Equal(TftpTransferState.Failed, sender.State);
        Assert.Contains(TftpBlockSender.UnconfirmedLastBlock + " after 3 retransmissions", sender.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lost_final_ack_from_a_receiver_that_lingers_is_repeated_and_the_transfer_completes()
    {
        var (sender, receiver, sink) = Pair(new byte[1468], 1468, 16, maxRetries: 3);
        bool dropped = false;
        var pump = new TftpPump(sender, receiver) { Drop = (toReceiver, packet) => !toReceiver && Block(packet) == 2 && !dropped && (dropped = true) };
        pump.Run();
        Assert.True(dropped);
        Assert.Equal(TftpTransferState.Completed, sender.State);
        Assert.Equal(1468, sink.Length);
    }

    [Fact]
    public void A_sender_that_never_sent_the_whole_file_gives_up_without_calling_it_an_unconfirmed_last_block()
    {
        // Every ACK is lost: only the first window (blocks 1 to 4 of 10) ever goes out, so the file was never sent whole.
        var (sender, receiver, _) = Pair(new byte[5000], 512, 4, maxRetries: 3);
        var pump = new TftpPump(sender, receiver) { Drop = (toReceiver, _) => !toReceiver };
        pump.Run();
        Assert.Equal(TftpTransferState.Failed, sender.State);
        Assert.DoesNotContain(TftpBlockSender.UnconfirmedLastBlock, sender.Failure, StringComparison.Ordinal);
        Assert.Contains("no acknowledgement after 3", sender.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void The_server_oack_is_block_0_and_sent_again_until_ack_0_arrives()
    {
        byte[] oack = new byte[32];
        int n = TftpCodec.WriteOptionAck(oack, [new("blksize", "1024")]);
        var sender = new TftpBlockSender(new MemoryStream(new byte[100]), new TftpTransferOptions { BlockSize = 1024 }, 5, oack[..n]);
        var buffer = new byte[1100];
        Assert.Equal(n, sender.TryWrite(buffer, 0));
        Assert.Equal(0, sender.TryWrite(buffer, 0));
        // Two timeouts, not one: a client that lost its ACK 0 repeats it first (atftp aborts on a second OACK).
        // Never on the timer: a client that got it and lost its ACK 0 repeats the ACK (atftp aborts on a second OACK).
        sender.OnTimer(1_000_000);
        Assert.Equal(0, sender.TryWrite(buffer, 1_000_000));
        sender.OnTimer(2_000_000);
        Assert.Equal(0, sender.TryWrite(buffer, 2_000_000));
        // A repeated request says it never came; one the network duplicated arrives at once and says nothing.
        sender.NoteRequestRepeated();
        Assert.Equal(n, sender.TryWrite(buffer, 2_100_000));
        sender.NoteRequestRepeated();
        Assert.Equal(0, sender.TryWrite(buffer, 2_100_100));
        sender.OnPacket(Ack(0), 2_200_000);
        Assert.Equal(104, sender.TryWrite(buffer, 2_200_000));
        Assert.Equal(1, Block(buffer));
        sender.NoteRequestRepeated();
        Assert.Equal(0, sender.TryWrite(buffer, 3_000_000));
    }

    [Fact]
    public void A_server_receiving_a_write_repeats_its_oack_only_for_a_repeated_request()
    {
        byte[] oack = new byte[32];
        oack = oack[..TftpCodec.WriteOptionAck(oack, [new("blksize", "512")])];
        var buffer = new byte[600];
        var sink = new MemoryStream();
        var receiver = new TftpBlockReceiver(sink, new TftpTransferOptions(), 5, long.MaxValue, oack, 0, linger: false);
        Assert.Equal(oack.Length, receiver.TryWrite(buffer, 0));
        receiver.OnTimer(1_000_000);
        receiver.OnTimer(2_000_000);
        Assert.Equal(0, receiver.TryWrite(buffer, 2_000_000));
        receiver.NoteRequestRepeated();
        Assert.Equal(oack.Length, receiver.TryWrite(buffer, 2_000_000));
        Assert.Equal(oack, buffer[..oack.Length]);
        receiver.OnPacket(Data(1, 10), 2_000_100);
        Assert.Equal(TftpTransferState.Completed, receiver.State);
        Assert.Equal(4, receiver.TryWrite(buffer, 2_000_100));
        receiver.NoteRequestRepeated();
        Assert.Equal(0, receiver.TryWrite(buffer, 3_000_000));
    }

    /// <summary>
    /// A stock server repeats its OACK when what answered it was lost (found at 10% loss with tftpd-hpa):
    /// after a WRQ the client's sender takes it as a repeated ACK 0, after an RRQ the client's receiver
    /// sends ACK 0 again; neither fails, and the file goes through.
    /// </summary>
    [Fact]
    public void A_repeated_server_oack_is_a_repeated_ack_0_for_a_writer_and_gets_ack_0_again_from_a_reader()
    {
        byte[] oack = new byte[32];
        oack = oack[..TftpCodec.WriteOptionAck(oack, [new("blksize", "512")])];
        var buffer = new byte[600];

        var sender = new TftpBlockSender(new MemoryStream(new byte[700]), new TftpTransferOptions(), 5);
        Assert.Equal(516, sender.TryWrite(buffer, 0));
        sender.OnPacket(oack, 1_000_000);
        Assert.Equal(TftpTransferState.Running, sender.State);
        Assert.Equal(0, sender.TryWrite(buffer, 1_000_000));
        sender.OnPacket(Ack(1), 1_000_100);
        Assert.Equal(4 + 188, sender.TryWrite(buffer, 1_000_100));
        sender.OnPacket(Ack(2), 1_000_200);
        Assert.Equal(TftpTransferState.Completed, sender.State);

        var sink = new MemoryStream();
        var receiver = new TftpBlockReceiver(sink, new TftpTransferOptions(), 5, long.MaxValue, Ack0, 0, linger: false);
        Assert.Equal(4, receiver.TryWrite(buffer, 0));
        receiver.OnPacket(oack, 500_000);
        Assert.Equal(TftpTransferState.Running, receiver.State);
        Assert.Equal(4, receiver.TryWrite(buffer, 500_000));
        Assert.Equal(Ack0, buffer[..4]);
        receiver.OnPacket(Data(1, 10), 500_100);
        Assert.Equal(TftpTransferState.Completed, receiver.State);
        Assert.Equal(10, sink.Length);
    }

    internal static (TftpBlockSender Sender, TftpBlockReceiver Receiver, MemoryStream Sink) Pair(byte[] file, int blksize, int window, int maxRetries = 10)
    {
        var options = new TftpTransferOptions { BlockSize = blksize, WindowSize = window };
        var sink = new MemoryStream();
        var sender = new TftpBlockSender(new MemoryStream(file), options, maxRetries);
        // The sender starts after ACK 0 (a client's WRQ answered with ACK 0): the receiver has nothing to repeat but ACK 0.
        var receiver = new TftpBlockReceiver(sink, options, maxRetries, long.MaxValue, Ack0, 0, linger: true);
        receiver.TryWrite(new byte[8], 0);
        return (sender, receiver, sink);
    }

    private static byte[] Ack(ushort block)
    {
        var b = new byte[4];
        TftpCodec.WriteAck(b, block);
        return b;
    }

    private static byte[] Data(ushort block, int length)
    {
        var b = new byte[4 + length];
        TftpCodec.WriteData(b, block, new byte[length]);
        return b;
    }

    private static int Block(ReadOnlyMemory<byte> packet) => BinaryPrimitives.ReadUInt16BigEndian(packet.Span[2..]);

    private static int Block(byte[] packet) => BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2));
}
