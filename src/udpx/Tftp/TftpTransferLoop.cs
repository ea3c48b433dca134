using System.Net;
using System.Net.Sockets;
using Udpx.Net;

namespace Udpx.Tftp;

/// <summary>
/// Drives one <see cref="ITftpTransfer"/> over a socket of its own (the transfer's TID): send what is
/// due, wait until the next packet or the transfer's deadline, feed it what came from the peer. A packet
/// from any other address or port gets error 5 and changes nothing (RFC 1350, "unknown transfer ID").
/// <see cref="Run"/> blocks in poll(2) (the server's sessions, the client's thread and process modes);
/// <see cref="RunAsync"/> awaits the socket (thread-async, process-async's workers use the blocking one).
/// Neither allocates per packet, but the asynchronous wait allocates its timeout once per wait.
/// </summary>
internal sealed class TftpTransferLoop
{
    private const long MaxWaitMicros = 100_000;
    private const int DrainAtMost = 64;

    private readonly Socket _socket;
    private readonly ITftpTransfer _transfer;
    private readonly MonotonicClock _clock;
    private readonly SocketAddress _peer;
    private readonly SocketAddress _from;
    private readonly byte[] _buffer = new byte[TftpTransferOptions.MaxBlockSize + 4];
    private readonly byte[] _errorBuffer = new byte[64];

    private TftpTransferLoop(Socket socket, IPEndPoint peer, ITftpTransfer transfer, MonotonicClock clock)
    {
        _socket = socket;
        _transfer = transfer;
        _clock = clock;
        _peer = peer.Serialize();
        _from = new SocketAddress(peer.AddressFamily);
    }

    public static void Run(Socket socket, IPEndPoint peer, ITftpTransfer transfer, MonotonicClock clock, CancellationToken cancellationToken)
    {
        var loop = new TftpTransferLoop(socket, peer, transfer, clock);
        while (loop.SendDue(cancellationToken, out long wait))
        {
            if (socket.Poll((int)wait, SelectMode.SelectRead))
            {
                loop.Drain();
            }
            loop.Tick();
        }
    }

    public static async Task RunAsync(Socket socket, IPEndPoint peer, ITftpTransfer transfer, MonotonicClock clock, CancellationToken cancellationToken)
    {
        var loop = new TftpTransferLoop(socket, peer, transfer, clock);
        while (loop.SendDue(cancellationToken, out long wait))
        {
            if (socket.Available > 0)
            {
                loop.Drain();
            }
            else if (wait > 0)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromMicroseconds(wait));
                try
                {
                    int received = await socket.ReceiveFromAsync(loop._buffer, SocketFlags.None, loop._from, timeout.Token).ConfigureAwait(false);
                    loop.Deliver(received);
                    if (socket.Available > 0)
                    {
                        loop.Drain();
                    }
                }
                catch (OperationCanceledException)
                {
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                {
                }
            }
            loop.Tick();
        }
    }

    /// <summary>Sends every packet due; false once the transfer has ended. <paramref name="wait"/>: how long to wait for the next packet (µs).</summary>
    private bool SendDue(CancellationToken cancellationToken, out long wait)
    {
        wait = 0;
        long now = _clock.NowMicros;
        int length;
        while ((length = _transfer.TryWrite(_buffer, now)) > 0)
        {
            Send(_buffer.AsSpan(0, length), _peer);
        }
        if (_transfer.State is TftpTransferState.Completed or TftpTransferState.Failed)
        {
            return false;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            _transfer.Abort("cancelled: the transfer was stopped");
            return true;
        }
        wait = Math.Clamp(_transfer.Deadline - now, 0, MaxWaitMicros);
        return true;
    }

    private void Drain()
    {
        for (int i = 0; i < DrainAtMost; i++)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(_buffer, SocketFlags.None, _from);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize or SocketError.WouldBlock)
            {
                // ICMP unreachable from an earlier send, or a datagram larger than any block: neither is the peer's next packet.
                return;
            }
            Deliver(received);
            if (_socket.Available == 0)
            {
                return;
            }
        }
    }

    private void Deliver(int received)
    {
        if (!_from.Equals(_peer))
        {
            int n = TftpCodec.WriteError(_errorBuffer, TftpError.UnknownTransferId, "unknown transfer ID");
            Send(_errorBuffer.AsSpan(0, n), _from);
            return;
        }
        _transfer.OnPacket(_buffer.AsSpan(0, received), _clock.NowMicros);
    }

    private void Tick()
    {
        long now = _clock.NowMicros;
        if (now >= _transfer.Deadline)
        {
            _transfer.OnTimer(now);
        }
    }

    private void Send(ReadOnlySpan<byte> packet, SocketAddress to)
    {
        try
        {
            _socket.SendTo(packet, SocketFlags.None, to);
        }
        catch (SocketException)
        {
            // A full buffer or an unreachable peer: the timer retransmits, the retry limit ends it.
        }
    }
}
