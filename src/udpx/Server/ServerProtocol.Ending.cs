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
        if (session.State == SessionState.Preparing)
        {
            return; // no Accept was sent yet: nothing the client could have finished
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
                    SendAck(session, now, sink, datagram.Length);
                }
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
        if (session.State == SessionState.Verifying)
        {
            // Too late: the commit is running and decides; its Done tells the client how it ended.
            return;
        }
        // Preparing too: the file goes once its preparation has ended, off this thread. A file that was
        // receiving is kept for a resume (a Ctrl-C on the client is a cut like any other).
        SetAside(session);
        EndSession(session, RejectReason.Cancelled, "cancelled by the client", now, sink: null);
    }

    /// <summary>
    /// A cut transfer: what it holds is written out and kept with its record for a later offer of the same
    /// file (<see cref="IIncomingFile.Suspend"/>); a session that never received anything just discards.
    /// </summary>
    private static void SetAside(ReceiverSession session)
    {
        if (session.State != SessionState.Receiving)
        {
            session.File.Discard();
            return;
        }
        try
        {
            session.Pending.Flush(session.File);
        }
        catch (IOException)
        {
            session.File.Discard();
            return;
        }
        session.File.Suspend(session.HeldBytes);
    }

    /// <summary>The held prefix grew by a checkpoint's worth: make it durable, so that a crash loses no more than that.</summary>
    private void CheckpointIfDue(ReceiverSession session, IDatagramSink sink, long now)
    {
        long held = session.HeldBytes;
        if (held - session.CheckpointedBytes < _options.CheckpointBytes || session.Window.IsComplete)
        {
            return;
        }
        try
        {
            session.Pending.Flush(session.File);
        }
        catch (IOException ex)
        {
            FailOnDisk(session, ex, now, sink);
            return;
        }
        session.CheckpointedBytes = held;
        session.File.Checkpoint(held);
    }

    /// <summary>The disk refused: the session ends, its temporary file goes, the client hears why.</summary>
    private void FailOnDisk(ReceiverSession session, IOException ex, long now, IDatagramSink sink)
    {
        session.File.Discard();
        var reason = Server.DiskErrors.IsDiskFull(ex) ? RejectReason.DiskFull : RejectReason.IoError;
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
        WatchBackground(session, session.File.CommitAsync(claimed, session.Digest.Current, _stopping.Token), now, sink);
    }

    /// <summary>
    /// Ends a session: its buffers go at once, its share of the limits is given back, and a tombstone keeps
    /// its result to answer repeats and to refuse replays.
    /// </summary>
    private void EndSession(ReceiverSession session, RejectReason reason, string message, long now, IDatagramSink? sink)
    {
        bool accepted = session.State != SessionState.Preparing;
        session.End(reason, message, now);
        _sessions.Remove(session.Id);
        _budget.Names.Release(session);
        ForgetIdleCheck(session);
        _budget.Release(session.Host, session.FileSize, stillPreparing: !accepted);
        var tombstone = new Tombstone(session.Id, session.Peer, reason, session.BytesReceived, message, session.CookieIssuedAt, now, accepted, session.ChunkSize, session.Packets.NextOutgoing());
        _tombstones.Add(tombstone);
        _recent.Enqueue(session);
        if (_recent.Count > RecentShown)
        {
            _recent.Dequeue();
        }
        PublishSessionList();
        if (!accepted)
        {
            Stats.CountRejected();
        }
        else
        {
            if (reason == RejectReason.None)
            {
                Stats.CountCompleted();
            }
            else
            {
                Stats.CountFailed();
            }
            _observer.SessionEnded(session, (now - session.StartedAt) / 1e6);
        }
        if (sink is not null)
        {
            SendResult(tombstone, sink);
        }
    }

    /// <summary>
    /// An ended session's answer: its Done, or the Reject of an offer whose file could not be made. When it
    /// answers a datagram (a late Finish, a repeated Offer, late Data) it is no larger than that datagram:
    /// its message is cut to fit, and it is not sent at all if even the reason does not fit.
    /// </summary>
    private void SendResult(Tombstone ended, IDatagramSink sink, int causeLength = int.MaxValue)
    {
        int room = (int)Math.Min((long)causeLength - _tag, _reply.Length - _tag);
        if (room < (ended.Accepted ? Wire.DoneFixedSize : Wire.RejectFixedSize))
        {
            return;
        }
        var buffer = _reply.AsSpan(0, room);
        // A tombstone goes on numbering the session's datagrams: a keyed client's replay window would drop a repeat.
        int length = ended.Accepted
            ? MessageCodec.WriteDone(buffer, new DoneMessage(ended.Id, ended.Result, (ulong)ended.Bytes, ended.Result == RejectReason.None ? string.Empty : ended.Message, ended.NextOutgoing()))
            : MessageCodec.WriteReject(buffer, new RejectMessage(ended.Id, ended.Result, ended.Message, ended.NextOutgoing()));
        Reply(length, ended.Peer, sink);
    }
}
