using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>
/// Connects a TFTP sender and receiver through a virtual link with a one-way delay and seeded random
/// loss both ways, under a virtual clock: packets arrive in the order sent, after the delay, unless lost.
/// A request (RRQ or WRQ) the receiver repeats goes to the sender as the listener passes it on
/// (<see cref="ITftpTransfer.NoteRequestRepeated"/>). Time jumps to the next arrival or deadline. Deterministic: the same seed gives the same run.
/// </summary>
internal sealed class TftpDelayLink(ITftpTransfer sender, ITftpTransfer receiver, long oneWayMicros, int lossOneIn, int seed)
{
    private readonly byte[] _buffer = new byte[TftpTransferOptions.MaxBlockSize + 4];
    private readonly Queue<(long At, bool ToReceiver, byte[] Packet)> _inFlight = new();
    private readonly Random _random = new(seed);

    public long NowMicros { get; private set; }

    /// <summary>Runs until both ends have ended, nothing is left to happen, or <paramref name="limitMicros"/> of virtual time.</summary>
    public void Run(long limitMicros)
    {
        while (NowMicros < limitMicros && !(Ended(sender) && Ended(receiver)))
        {
            Send(sender, toReceiver: true);
            Send(receiver, toReceiver: false);
            long next = Math.Min(sender.Deadline, receiver.Deadline);
            if (_inFlight.Count > 0)
            {
                next = Math.Min(next, _inFlight.Peek().At);
            }
            if (next == long.MaxValue)
            {
                return;
            }
            NowMicros = Math.Max(NowMicros, next);
            while (_inFlight.Count > 0 && _inFlight.Peek().At <= NowMicros)
            {
                var (_, toReceiver, packet) = _inFlight.Dequeue();
                var to = toReceiver ? receiver : sender;
                if (Ended(to))
                {
                    continue;
                }
                if (TftpCodec.TryReadOpcode(packet, out var opcode) && opcode is TftpOpcode.ReadRequest or TftpOpcode.WriteRequest)
                {
                    to.NoteRequestRepeated();
                }
                else
                {
                    to.OnPacket(packet, NowMicros);
                }
            }
            foreach (var end in (ITftpTransfer[])[sender, receiver])
            {
                if (!Ended(end) && end.Deadline <= NowMicros)
                {
                    end.OnTimer(NowMicros);
                }
            }
        }
    }

    private static bool Ended(ITftpTransfer t) => t.State is TftpTransferState.Completed or TftpTransferState.Failed;

    private void Send(ITftpTransfer from, bool toReceiver)
    {
        int length;
        while ((length = from.TryWrite(_buffer, NowMicros)) > 0)
        {
            if (_random.Next(lossOneIn) != 0)
            {
                _inFlight.Enqueue((NowMicros + oneWayMicros, toReceiver, _buffer.AsSpan(0, length).ToArray()));
            }
        }
    }
}
