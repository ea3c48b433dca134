using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>
/// Connects a TFTP sender and receiver state machine through a virtual link with no sockets and no clock:
/// packets are delivered at once unless the drop rule says otherwise, and time jumps to the next deadline
/// when nothing moves. Deterministic: the same rules give the same run.
/// </summary>
internal sealed class TftpPump(ITftpTransfer sender, ITftpTransfer receiver)
{
    private readonly byte[] _buffer = new byte[TftpTransferOptions.MaxBlockSize + 4];

    public long NowMicros { get; private set; }

    /// <summary>Decides per packet (direction, the packet) whether the link loses it.</summary>
    public Func<bool, ReadOnlyMemory<byte>, bool> Drop { get; set; } = (_, _) => false;

    /// <summary>Decides per packet whether the link delivers it twice.</summary>
    public Func<bool, ReadOnlyMemory<byte>, bool> Duplicate { get; set; } = (_, _) => false;

    public List<(bool ToReceiver, byte[] Packet)> Log { get; } = [];

    public bool KeepLog { get; set; }

    /// <summary>Runs until both ends have ended (or the step limit); returns the steps taken.</summary>
    public int Run(int maxSteps = 10_000_000)
    {
        int steps = 0;
        while (steps++ < maxSteps && !(Ended(sender) && Ended(receiver)))
        {
            bool moved = Move(sender, receiver, toReceiver: true) | Move(receiver, sender, toReceiver: false);
            if (!moved)
            {
                long next = Math.Min(sender.Deadline, receiver.Deadline);
                if (next == long.MaxValue)
                {
                    break;
                }
                NowMicros = Math.Max(NowMicros, next);
                sender.OnTimer(NowMicros);
                receiver.OnTimer(NowMicros);
            }
        }
        return steps;
    }

    private static bool Ended(ITftpTransfer t) => t.State is TftpTransferState.Completed or TftpTransferState.Failed;

    private bool Move(ITftpTransfer from, ITftpTransfer to, bool toReceiver)
    {
        bool moved = false;
        int length;
        while ((length = from.TryWrite(_buffer, NowMicros)) > 0)
        {
            moved = true;
            var packet = _buffer.AsMemory(0, length).ToArray();
            if (KeepLog)
            {
                Log.Add((toReceiver, packet));
            }
            if (Drop(toReceiver, packet))
            {
                continue;
            }
            if (!Ended(to))
            {
                to.OnPacket(packet, NowMicros);
                if (Duplicate(toReceiver, packet) && !Ended(to))
                {
                    to.OnPacket(packet, NowMicros);
                }
            }
        }
        return moved;
    }
}
