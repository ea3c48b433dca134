using System.Diagnostics.CodeAnalysis;
using System.Net;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>A session's data: writing chunks where they belong, the digest as the held prefix grows, acknowledgements.</summary>
internal sealed partial class ServerProtocol
{
    /// <summary>
    /// The session a Data or Finish belongs to, if it exists and the datagram came from its client. An
    /// unknown session gets a small Reject (never larger than the datagram), so that a client whose
    /// server restarted learns it at once and starts over.
    /// </summary>
    private bool TryFindSession(ulong sessionId, int causeLength, SocketAddress from, IDatagramSink sink, [NotNullWhen(true)] out ReceiverSession? session)
    {
        if (!_sessions.TryGetValue(sessionId, out session))
        {
            if (_tombstones.TryGet(sessionId, out var ended))
            {
                // Ended: say how (a late Finish, or the client missed the Done).
                if (ended.Peer.Equals(from))
                {
                    SendResult(ended, sink, causeLength);
                }
                else
                {
                    Stats.CountWrongPeer();
                }
                return false;
            }
            Stats.CountUnknownSession();
            int length = MessageCodec.WriteReject(_reply, new RejectMessage(sessionId, RejectReason.UnknownSession, string.Empty));
            ReplyNoLarger(length, causeLength, from, sink);
            return false;
        }
        if (!session.Peer.Equals(from))
        {
            Stats.CountWrongPeer();
            return false;
        }
        return true;
    }

    /// <param name="chunkHash">The payload's hash when the checksum check already computed it (unkeyed datagrams).</param>
    private void OnData(ReadOnlySpan<byte> datagram, in DatagramHeader header, ulong? chunkHash, SocketAddress from, long now, IDatagramSink sink)
    {
        if (!MessageCodec.TryReadData(datagram, out ulong chunk, out uint sendTime, out var payload))
        {
            Stats.CountMalformed();
            return;
        }
        if (!TryFindSession(header.SessionId, datagram.Length, from, sink, out var session))
        {
            return;
        }
        if (session.State != SessionState.Receiving)
        {
            return; // preparing (no Accept yet) or verifying
        }
        session.LastActivity = now;

        switch (session.Window.Classify(chunk))
        {
            case Server.ChunkStatus.New:
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
                session.Window.Mark(chunk);
                session.AddChunk(chunk, chunkHash ?? Protocol.Checksum.HashPayload(payload));
                session.CountNew(payload.Length);
                CheckpointIfDue(session, sink, now);
                if (session.State != SessionState.Receiving)
                {
                    return;
                }
                if (session.UnackedNew++ == 0 && !session.AckScheduled)
                {
                    session.AckScheduled = true;
                    _ackDue.Add(session);
                }
                if (session.Window.Highest > session.Window.Cumulative)
                {
                    // A gap: tell the sender sooner, but not for every datagram; at once when this is the file's
                    // last chunk, whose acknowledgement names everything still missing (a small file is mostly
                    // its tail, and waited for the acknowledgement timer to learn it).
                    session.AckNow |= session.UnackedNew >= _options.AckEveryInGap || chunk + 1 == session.Window.TotalChunks;
                }
                Stream?.Record(now, session.Id, chunk, session.BytesReceived, datagram.Length, payload);
                if (_observer.WantsDatagrams)
                {
                    _observer.Datagram(session, chunk, datagram.Length, payload);
                }
                break;
            case Server.ChunkStatus.Duplicate:
                session.CountDuplicate();
                session.AckNow = true;
                break;
            case Server.ChunkStatus.BeyondWindow:
                session.AckNow = true;
                break;
            default:
                Stats.CountMalformed();
                return;
        }
        session.Packets.OnData(header.PacketNumber, sendTime, now);

        // An Ack answers this datagram: never larger than it (a duplicate of a short last chunk, replayed by
        // someone who spoofs the client's address, must not draw a full-size bitmap).
        if (session.Window.IsComplete)
        {
            SendAck(session, now, sink, datagram.Length);
            if (session.ClaimedDigest is { } claimed)
            {
                StartVerification(session, claimed, now, sink);
            }
        }
        else if (session.AckNow || session.UnackedNew >= _options.AckEvery)
        {
            SendAck(session, now, sink, datagram.Length);
        }
    }

    /// <param name="limit">
    /// The size of the datagram the Ack answers, when it answers one: the bitmap is cut to fit. The fixed
    /// part always goes (50 bytes, a little more than a Finish or a tiny last chunk): an Ack is how the
    /// sender learns its last chunk arrived, so it is never withheld, only kept from growing.
    /// </param>
    private void SendAck(ReceiverSession session, long now, IDatagramSink sink, int limit = int.MaxValue)
    {
        int capacity = Math.Min(session.ChunkSize + Wire.DataHeaderSize, Wire.MaxDatagramSize - _tag) - Wire.AckFixedSize;
        capacity = (int)Math.Clamp((long)limit - _tag - Wire.AckFixedSize, 0, capacity);
        int bitmapLength = session.Window.WriteBitmap(_reply.AsSpan(Wire.AckFixedSize, capacity));
        var packets = session.Packets;
        int length = MessageCodec.WriteAck(_reply, session.Id, packets.NextOutgoing(), packets.LargestDataReceived, session.Window.Cumulative, packets.EchoAt(now), (uint)session.Duplicates, _reply.AsSpan(Wire.AckFixedSize, bitmapLength));
        Reply(length, session.Peer, sink);
        session.UnackedNew = 0;
        session.AckNow = false;
        session.LastAckAt = now;
    }
}
