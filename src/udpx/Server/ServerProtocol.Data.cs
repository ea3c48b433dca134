using System.Diagnostics.CodeAnalysis;
using System.Net;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>A session's data: writing chunks where they belong, the digest as the file completes, acknowledgements.</summary>
internal sealed partial class ServerProtocol
{
    /// <summary>
    /// The session a Data or Finish belongs to, if it exists and the datagram came from its client. An
    /// unknown session gets a small Reject (never larger than the datagram), so that a client whose
    /// server restarted learns it at once and starts over.
    /// </summary>
    private bool TryFindSession(ulong sessionId, SocketAddress from, IDatagramSink sink, [NotNullWhen(true)] out ReceiverSession? session)
    {
        if (!_sessions.TryGetValue(sessionId, out session))
        {
            Stats.CountUnknownSession();
            int length = MessageCodec.WriteReject(_reply, new RejectMessage(sessionId, RejectReason.UnknownSession, string.Empty));
            Reply(length, from, sink);
            return false;
        }
        if (!session.Peer.Equals(from))
        {
            Stats.CountWrongPeer();
            return false;
        }
        return true;
    }

    private void OnData(ReadOnlySpan<byte> datagram, ulong sessionId, SocketAddress from, long now, IDatagramSink sink)
    {
        if (!TryFindSession(sessionId, from, sink, out var session))
        {
            return;
        }
        if (!MessageCodec.TryReadData(datagram, out ulong chunk, out uint sendTime, out var payload))
        {
            Stats.CountMalformed();
            return;
        }
        session.LastActivity = now;
        if (session.State != SessionState.Receiving)
        {
            if (session.State is SessionState.Done or SessionState.Failed)
            {
                SendDone(session, sink);
            }
            return;
        }

        switch (session.Window.Classify(chunk))
        {
            case Engine.ChunkStatus.New:
                long offset = (long)chunk * session.ChunkSize;
                int expected = (int)Math.Min(session.ChunkSize, session.FileSize - offset);
                if (payload.Length != expected)
                {
                    Stats.CountMalformed();
                    return;
                }
                try
                {
                    session.Pending.Write(session.File, offset, payload);
                }
                catch (IOException ex)
                {
                    FailOnDisk(session, ex, now, sink);
                    return;
                }
                bool inOrder = chunk == session.Window.Cumulative;
                if (session.Hasher is { } hasher && offset == session.HashedUpTo)
                {
                    hasher.Append(payload);
                    session.HashedUpTo += payload.Length;
                }
                session.Window.Mark(chunk);
                if (session.Hasher is not null && session.HashedUpTo < CompleteBytes(session))
                {
                    if (!CatchUpDigest(session, now, sink))
                    {
                        return;
                    }
                }
                session.CountNew(payload.Length);
                session.UnackedNew++;
                if (!inOrder || session.Window.Highest > session.Window.Cumulative)
                {
                    // A gap: tell the sender soon, but not for every datagram.
                    session.AckNow |= session.UnackedNew >= 2;
                }
                Stream?.Record(now, session.Id, chunk, session.BytesReceived, datagram.Length, payload);
                if (_observer.WantsDatagrams)
                {
                    _observer.Datagram(session, chunk, datagram.Length, payload);
                }
                break;
            case Engine.ChunkStatus.Duplicate:
                session.CountDuplicate();
                session.AckNow = true;
                break;
            case Engine.ChunkStatus.BeyondWindow:
                session.AckNow = true;
                break;
            default:
                Stats.CountMalformed();
                return;
        }
        session.LastEcho = sendTime;

        if (session.Window.IsComplete)
        {
            SendAck(session, now, sink);
            StartVerification(session, now, sink);
        }
        else if (session.AckNow || session.UnackedNew >= _options.AckEvery)
        {
            SendAck(session, now, sink);
        }
    }

    private static long CompleteBytes(ReceiverSession session) =>
        (long)Math.Min((ulong)session.FileSize, session.Window.Cumulative * (ulong)session.ChunkSize);

    /// <summary>
    /// A gap was filled: feed the digest the chunks that had arrived out of order, read back from the file
    /// (the page cache, in practice). Returns false if the disk failed and the session ended.
    /// </summary>
    private bool CatchUpDigest(ReceiverSession session, long now, IDatagramSink sink)
    {
        if (session.Hasher is not { } hasher)
        {
            return true;
        }
        long target = CompleteBytes(session);
        if (session.HashedUpTo >= target)
        {
            return true;
        }
        try
        {
            session.Pending.Flush(session.File);
            while (session.HashedUpTo < target)
            {
                int want = (int)Math.Min(_readBack.Length, target - session.HashedUpTo);
                int n = session.File.Read(session.HashedUpTo, _readBack.AsSpan(0, want));
                if (n <= 0)
                {
                    throw new IOException("short read of the temporary file");
                }
                hasher.Append(_readBack.AsSpan(0, n));
                session.HashedUpTo += n;
            }
            return true;
        }
        catch (IOException ex)
        {
            FailOnDisk(session, ex, now, sink);
            return false;
        }
    }

    private void SendAck(ReceiverSession session, long now, IDatagramSink sink)
    {
        int capacity = Math.Min(session.ChunkSize + Wire.DataHeaderSize, Wire.MaxDatagramSize - _tag) - Wire.AckFixedSize;
        int bitmapLength = session.Window.WriteBitmap(_reply.AsSpan(Wire.AckFixedSize, capacity));
        int length = MessageCodec.WriteAck(_reply, session.Id, session.Window.Cumulative, session.LastEcho, (uint)session.Duplicates, _reply.AsSpan(Wire.AckFixedSize, bitmapLength));
        Reply(length, session.Peer, sink);
        session.UnackedNew = 0;
        session.AckNow = false;
        session.LastAckAt = now;
    }
}
