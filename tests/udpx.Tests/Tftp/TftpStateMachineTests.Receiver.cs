using System.Buffers.Binary;
using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>The receiver alone: what it answers to a gap, and the blocks and sizes it refuses.</summary>
public sealed partial class TftpStateMachineTests
{
    [Fact]
    public void Blocks_from_the_window_past_a_gap_are_answered_with_one_ack_of_the_last_block_in_order()
    {
        var sink = new MemoryStream();
        var receiver = new TftpBlockReceiver(sink, new TftpTransferOptions { WindowSize = 8 }, 5, long.MaxValue, Ack0, 0);
        var buffer = new byte[600];
        Assert.Equal(4, receiver.TryWrite(buffer, 0));
        receiver.OnPacket(Data(1, 512), 1);
        receiver.OnPacket(Data(3, 512), 2);
        Assert.Equal(4, receiver.TryWrite(buffer, 2));
        Assert.Equal(1, Block(buffer));
        receiver.OnPacket(Data(4, 512), 3);
        receiver.OnPacket(Data(5, 512), 4);
        Assert.Equal(0, receiver.TryWrite(buffer, 4));
        Assert.Equal(512, sink.Length);
    }

    [Fact]
    public void A_gap_right_after_a_window_ack_is_answered_at_once()
    {
        // atftp's put: the ACK of window 1-8 goes, block 9 is lost, 10 arrives a millisecond later. That ACK told the
        // sender nothing of the gap: held back for the repeat spacing, atftp would wait out a whole timeout.
        var receiver = new TftpBlockReceiver(new MemoryStream(), new TftpTransferOptions { WindowSize = 8 }, 5, long.MaxValue, Ack0, 0);
        var buffer = new byte[600];
        receiver.TryWrite(buffer, 0);
        for (ushort b = 1; b <= 8; b++)
        {
            receiver.OnPacket(Data(b, 512), b);
        }
        Assert.Equal(4, receiver.TryWrite(buffer, 8));
        Assert.Equal(8, Block(buffer));
        receiver.OnPacket(Data(10, 512), 1_000);
        Assert.Equal(4, receiver.TryWrite(buffer, 1_000));
        Assert.Equal(8, Block(buffer));
        // The rest of that window past the gap: no more repeats within the spacing.
        receiver.OnPacket(Data(11, 512), 1_100);
        Assert.Equal(0, receiver.TryWrite(buffer, 1_100));
        receiver.OnPacket(Data(12, 512), 1_000 + TftpBlockReceiver.RepeatAckSpacingMicros);
        Assert.Equal(4, receiver.TryWrite(buffer, 1_000 + TftpBlockReceiver.RepeatAckSpacingMicros));
        Assert.Equal(8, Block(buffer));
    }

    [Fact]
    public void A_block_larger_than_the_block_size_fails_the_transfer_with_error_4()
    {
        var receiver = new TftpBlockReceiver(new MemoryStream(), new TftpTransferOptions(), 5, long.MaxValue, Ack0, 0);
        var buffer = new byte[600];
        receiver.TryWrite(buffer, 0);
        receiver.OnPacket(Data(1, 513), 1);
        Assert.Equal(TftpTransferState.Failed, receiver.State);
        int n = receiver.TryWrite(buffer, 1);
        Assert.Equal((ushort)TftpOpcode.Error, BinaryPrimitives.ReadUInt16BigEndian(buffer));
        Assert.Equal((ushort)TftpError.IllegalOperation, BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2)));
        Assert.True(n > 5);
    }

    [Fact]
    public void A_write_past_the_size_limit_fails_with_error_3_and_keeps_nothing_more()
    {
        var sink = new MemoryStream();
        var receiver = new TftpBlockReceiver(sink, new TftpTransferOptions(), 5, 1000, Ack0, 0);
        receiver.OnPacket(Data(1, 512), 1);
        receiver.OnPacket(Data(2, 512), 2);
        Assert.Equal(TftpTransferState.Failed, receiver.State);
        Assert.Equal(512, sink.Length);
        var buffer = new byte[600];
        while (receiver.TryWrite(buffer, 3) is var n && n > 0 && BinaryPrimitives.ReadUInt16BigEndian(buffer) != (ushort)TftpOpcode.Error)
        {
        }
        Assert.Equal((ushort)TftpError.DiskFull, BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2)));
    }

    [Fact]
    public void A_receiver_repeats_its_ack_at_one_two_four_then_eight_timeouts_so_that_a_sender_re_arming_its_timer_at_each_ack_still_times_out()
    {
        // tftp-hpa's client re-arms its alarm at every ACK it ignores: repeated every timeout, our ACK kept it from ever
        // resending its lost block. Between two repeats there must be more silence than the sender's timeout.
        var receiver = new TftpBlockReceiver(new MemoryStream(), new TftpTransferOptions(), 10, long.MaxValue, Ack0, 0);
        var buffer = new byte[600];
        receiver.TryWrite(buffer, 0);
        receiver.OnPacket(Data(1, 512), 0);
        Assert.Equal(4, receiver.TryWrite(buffer, 0));
        var repeats = new List<long>();
        while (receiver.State == TftpTransferState.Running && repeats.Count < 6)
        {
            long at = receiver.Deadline;
            receiver.OnTimer(at);
            if (receiver.TryWrite(buffer, at) == 4 && Block(buffer) == 1)
            {
                repeats.Add(at);
            }
        }
        Assert.Equal(1_000_000, repeats[0]);
        var gaps = repeats.Zip(repeats.Skip(1), (a, b) => (b - a) / 1_000_000.0).ToList();
        Assert.Equal([2.0, 4.0, 8.0, 8.0], gaps.Take(4));
    }
}
