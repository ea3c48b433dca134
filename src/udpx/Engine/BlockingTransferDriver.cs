using System.Diagnostics;
using System.Net.Sockets;
using Udpx.Net;
using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>
/// Runs one transfer on the calling thread with blocking socket calls: send what the protocol allows,
/// then wait in poll(2) for an acknowledgement or the protocol's next deadline. The thread and process
/// modes use it. No allocation per datagram.
/// </summary>
internal static class BlockingTransferDriver
{
    private const int MaxWaitMicros = 50_000;
    private const int DrainEvery = 32;

    public static TransferResult Run(TransferJob job, TransferCounters counters, DatagramRing? ring, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        long started = Stopwatch.GetTimestamp();
        using var session = TransferSession.TryOpen(job, counters, ring, time, out var failure);
        if (session is null)
        {
            return failure!;
        }
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        Loop(session, cancellationToken);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var held = job.Settings.Gate?.Held ?? TimeSpan.Zero;
        return session.ToResult((Stopwatch.GetElapsedTime(started) - held).TotalSeconds, allocated);
    }

    private static void Loop(TransferSession session, CancellationToken cancellationToken)
    {
        var protocol = session.Protocol;
        var socket = session.Socket;
        var clock = session.Clock;
        while (!protocol.IsFinished)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                protocol.Fail(RejectReason.Cancelled, "cancelled");
                session.SendAbort();
                return;
            }
            if (protocol.AwaitsGate && !WaitAtGate(session, cancellationToken))
            {
                return;
            }
            long now = clock.NowMicros;
            int burst = 0;
            while (true)
            {
                int sent = FillAndSendBatch(session, now, out bool failed);
                if (failed)
                {
                    return;
                }
                if (sent == 0)
                {
                    break;
                }
                burst += sent;
                if (burst >= DrainEvery)
                {
                    burst = 0;
                    if (!Drain(session, readable: false))
                    {
                        return;
                    }
                    now = clock.NowMicros;
                }
            }
            if (protocol.IsFinished)
            {
                return;
            }
            now = clock.NowMicros;
            long wait = Math.Clamp(protocol.NextDeadline(now) - now, burst == 0 ? 20 : 0, MaxWaitMicros);
            try
            {
                if (SocketWait.Readable(socket, wait) && !Drain(session, readable: true))
                {
                    return;
                }
            }
            catch (SocketException ex)
            {
                if (!OnSocketError(session, ex))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Waits, after the handshake, until the path is this transfer's (<see cref="StartGate"/>); false when it never will be.</summary>
    private static bool WaitAtGate(TransferSession session, CancellationToken cancellationToken)
    {
        if (session.Job.Settings.Gate!.Wait(cancellationToken))
        {
            session.Protocol.OnGateOpened(session.Clock.NowMicros);
            return true;
        }
        session.Protocol.Fail(RejectReason.Cancelled, "cancelled");
        session.SendAbort();
        return false;
    }

    /// <summary>
    /// Asks the protocol for datagrams until the batch is full or nothing is due, then sends the batch.
    /// A datagram shorter than the others (a control message, the file's last chunk) ends its batch.
    /// </summary>
    internal static int FillAndSendBatch(TransferSession session, long now, out bool failed)
    {
        failed = false;
        int used = FillBatch(session, now, out int segments);
        if (segments == 0)
        {
            return 0;
        }
        SocketError error = session.SendBatch(session.SendBuffer.AsSpan(0, used), segments);
        if (error != SocketError.Success)
        {
            failed = !OnSocketError(session, error);
        }
        return segments;
    }

    /// <summary>Fills the batch buffer; returns the bytes used and the number of datagrams in it.</summary>
    internal static int FillBatch(TransferSession session, long now, out int segments)
    {
        byte[] buffer = session.SendBuffer;
        int size = session.DatagramSize;
        int used = 0;
        segments = 0;
        while (segments < session.SegmentsPerBatch)
        {
            int length = session.Protocol.TryWriteNext(buffer.AsSpan(used, size), now);
            if (length == 0)
            {
                break;
            }
            session.RecordSent(buffer.AsSpan(used, length), now);
            used += length;
            segments++;
            if (length != size)
            {
                break;
            }
        }
        return used;
    }

    /// <summary>
    /// Hands every waiting datagram from the server to the protocol. When poll(2) said the socket is
    /// <paramref name="readable"/>, reads one whatever Available says: it is 0 for an empty datagram,
    /// which would otherwise stay first in the queue and hide everything behind it. The socket is connected, so
    /// only the server's datagrams reach it, and an error (an ICMP "port unreachable" a send left pending) comes
    /// back as its code: a thrown SocketException allocates 6 KB the first time and 640 bytes after.
    /// </summary>
    private static bool Drain(TransferSession session, bool readable)
    {
        var socket = session.Socket;
        while (readable || socket.Available > 0)
        {
            readable = false;
            int n = socket.Receive(session.ReceiveBuffer, SocketFlags.None, out SocketError error);
            if (error != SocketError.Success)
            {
                return OnSocketError(session, error);
            }
            session.Protocol.OnDatagram(session.ReceiveBuffer.AsSpan(0, n), session.Clock.NowMicros);
        }
        return true;
    }

    /// <summary>Returns false when the transfer cannot go on.</summary>
    internal static bool OnSocketError(TransferSession session, SocketException ex) => OnSocketError(session, ex.SocketErrorCode, ex.Message);

    /// <summary>As <see cref="OnSocketError(TransferSession, SocketException)"/>, for an error a non-throwing call returned.</summary>
    internal static bool OnSocketError(TransferSession session, SocketError error) => OnSocketError(session, error, null);

    private static bool OnSocketError(TransferSession session, SocketError error, string? message)
    {
        switch (error)
        {
            case SocketError.ConnectionRefused when session.Protocol.Phase == TransferPhase.Connecting:
                session.Protocol.Fail(RejectReason.None, "connection refused: nothing listens on " + session.Job.Server + " (is udpx serve running there?)");
                return false;
            case SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock or SocketError.MessageSize:
                // A server restarting, or a full queue: treat as loss; the protocol retries.
                return true;
            case SocketError.HostUnreachable or SocketError.NetworkUnreachable when session.Protocol.Phase == TransferPhase.Connecting:
                session.Protocol.Fail(RejectReason.None, "no route to " + session.Job.Server + ": " + (message ?? new SocketException((int)error).Message));
                return false;
            case SocketError.HostUnreachable or SocketError.NetworkUnreachable:
                return true;
            default:
                session.Protocol.Fail(RejectReason.IoError, "socket error toward " + session.Job.Server + ": " + (message ?? new SocketException((int)error).Message));
                return false;
        }
    }
}
