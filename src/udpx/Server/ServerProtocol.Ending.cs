using System.Net;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>How sessions end: finish, abort, disk failure, verification and the Done that reports it.</summary>
internal sealed partial class ServerProtocol
{
    private void OnFinish(ReadOnlySpan<byte> datagram, SocketAddress from, long now, IDatagramSink sink)
    {
        if (!MessageCodec.TryReadFinish(datagram, out var finish))
        {
            Stats.CountMalformed();
            return;
        }
        if (!TryFindSession(finish.SessionId, datagram.Length, from, sink, out var session))
        {
            return;
        }
        if (finish.FileSize != (ulong)session.FileSize)
        {
            Stats.CountMalformed();
            return;
        }
        session.LastActivity = now;
        switch (session.State)
        {
            case SessionState.Receiving:
                // The first Finish names the digest; repeats of it change nothing.
                UInt128 claimed = session.ClaimedDigest ??= finish.Digest;
                if (session.Window.IsComplete)
                {
                    StartVerification(session, claimed, now, sink);
                }
                else
                {
                    SendAck(session, now, sink);
                }
                break;
            case SessionState.Done or SessionState.Failed:
                SendDone(session, sink);
                break;
        }
    }

    private void OnAbort(ReadOnlySpan<byte> datagram, SocketAddress from, long now)
    {
        if (!MessageCodec.TryReadAbort(datagram, out ulong sessionId, out _)
            || !_sessions.TryGetValue(sessionId, out var session))
        {
            return;
        }
        if (!session.Peer.Equals(from))
        {
            Stats.CountWrongPeer();
            return;
        }
        if (session.State is SessionState.Receiving or SessionState.Verifying)
        {
            session.File.Discard();
            EndSession(session, RejectReason.Cancelled, "cancelled by the client", now, sink: null);
        }
    }

    /// <summary>The disk refused: the session ends, its temporary file goes, the client hears why.</summary>
    private void FailOnDisk(ReceiverSession session, IOException ex, long now, IDatagramSink sink)
    {
        session.File.Discard();
        var reason = Engine.DiskErrors.IsDiskFull(ex) ? RejectReason.DiskFull : RejectReason.IoError;
        EndSession(session, reason, RejectReasonText.Describe(reason), now, sink);
    }

    private void StartVerification(ReceiverSession session, UInt128 claimed, long now, IDatagramSink sink)
    {
        try
        {
            session.Pending.Flush(session.File);
        }
        catch (IOException ex)
        {
            FailOnDisk(session, ex, now, sink);
            return;
        }
        session.SetState(SessionState.Verifying);
        if (session.Encrypted || session.Cipher is not null)
        {
            // The Offer announced encryption, or an encrypted Data datagram was opened: the plaintext must not become world-readable.
            session.File.MarkEncrypted();
        }
        session.Verification = session.File.CommitAsync(claimed, session.Digest.Current, _stopping.Token);
        if (session.Verification.IsCompleted)
        {
            Poll(now, sink);
        }
    }

    private void EndSession(ReceiverSession session, RejectReason reason, string message, long now, IDatagramSink? sink)
    {
        session.Pending.Dispose();
        session.Cipher?.Dispose();
        session.End(reason, message, now);
        Volatile.Write(ref _active, _active - 1);
        if (reason == RejectReason.None)
        {
            Stats.CountCompleted();
        }
        else
        {
            Stats.CountFailed();
        }
        _observer.SessionEnded(session, (now - session.StartedAt) / 1e6);
        if (sink is not null)
        {
            SendDone(session, sink);
        }
    }

    private void SendDone(ReceiverSession session, IDatagramSink sink)
    {
        int length = MessageCodec.WriteDone(_reply, new DoneMessage(session.Id, session.Result, (ulong)session.BytesReceived, session.Result == RejectReason.None ? string.Empty : session.ResultMessage, session.Packets.NextOutgoing()));
        Reply(length, session.Peer, sink);
    }
}
