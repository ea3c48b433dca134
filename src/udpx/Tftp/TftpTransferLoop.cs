using System.Net;
using System.Net.Sockets;
using Udpx.Engine;

namespace Udpx.Tftp;

/// <summary>
/// Drives one <see cref="ITftpTransfer"/> over a socket of its own (the transfer's TID) with blocking
/// calls: send what is due, wait in poll(2) until the next packet or the transfer's deadline, feed it
/// what came from the peer. A packet from any other address or port gets error 5 and changes nothing
/// (RFC 1350, "unknown transfer ID"). The server's sessions and the client's thread and process modes use it.
/// </summary>
internal static class TftpTransferLoop
{
    private const long MaxWaitMicros = 100_000;
    private const int DrainAtMost = 64;

    public static void Run(Socket socket, IPEndPoint peer, ITftpTransfer transfer, MonotonicClock clock, CancellationToken cancellationToken)
    {
        var peerAddress = peer.Serialize();
        var from = new SocketAddress(peer.AddressFamily);
        var buffer = new byte[TftpTransferOptions.MaxBlockSize + 4];
        var errorBuffer = new byte[64];
        while (true)
        {
            long now = clock.NowMicros;
            int length;
            while ((length = transfer.TryWrite(buffer, now)) > 0)
            {
                Send(socket, buffer.AsSpan(0, length), peerAddress);
            }
            if (transfer.State is TftpTransferState.Completed or TftpTransferState.Failed)
            {
                return;
            }
            if (cancellationToken.IsCancellationRequested)
            {
                transfer.Abort("cancelled: the transfer was stopped");
                continue;
            }
            long wait = Math.Clamp(transfer.Deadline - now, 0, MaxWaitMicros);
            if (socket.Poll((int)wait, SelectMode.SelectRead))
            {
                for (int i = 0; i < DrainAtMost; i++)
                {
                    int received;
                    try
                    {
                        received = socket.ReceiveFrom(buffer, SocketFlags.None, from);
                    }
                    catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                    {
                        // ICMP unreachable from an earlier send, or a datagram larger than any block: neither is the peer's next packet.
                        break;
                    }
                    if (!from.Equals(peerAddress))
                    {
                        int n = TftpCodec.WriteError(errorBuffer, TftpError.UnknownTransferId, "unknown transfer ID");
                        Send(socket, errorBuffer.AsSpan(0, n), from);
                    }
                    else
                    {
                        transfer.OnPacket(buffer.AsSpan(0, received), clock.NowMicros);
                    }
                    if (socket.Available == 0)
                    {
                        break;
                    }
                }
            }
            now = clock.NowMicros;
            if (now >= transfer.Deadline)
            {
                transfer.OnTimer(now);
            }
        }
    }

    private static void Send(Socket socket, ReadOnlySpan<byte> packet, SocketAddress to)
    {
        try
        {
            socket.SendTo(packet, SocketFlags.None, to);
        }
        catch (SocketException)
        {
            // A full buffer or an unreachable peer: the timer retransmits, the retry limit ends it.
        }
    }
}
