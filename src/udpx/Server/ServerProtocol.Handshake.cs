using System.Net;
using System.Numerics;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>Before a session exists: cookies for hellos, checks and refusals for offers, the accepted window.</summary>
internal sealed partial class ServerProtocol
{
    private void OnHello(ReadOnlySpan<byte> datagram, SocketAddress from, long now, IDatagramSink sink)
    {
        if (!MessageCodec.TryReadHello(datagram, out var hello))
        {
            Stats.CountMalformed();
            return;
        }
        ulong issuedAt = Seconds(now);
        ulong mac = _cookies.Issue(from, hello.SessionId, issuedAt);
        int length = MessageCodec.WriteCookie(_reply, new CookieMessage(hello.SessionId, hello.ClientTimeMicros, issuedAt, mac));
        Reply(length, from, sink);
    }

    private void OnOffer(ReadOnlySpan<byte> datagram, SocketAddress from, long now, IDatagramSink sink)
    {
        if (!MessageCodec.TryReadOffer(datagram, out var offer, out bool validName))
        {
            Stats.CountMalformed();
            return;
        }
        if (_sessions.TryGetValue(offer.SessionId, out var existing))
        {
            if (!existing.Peer.Equals(from))
            {
                Stats.CountWrongPeer();
                return;
            }
            // The Accept was lost: say it again. While the file is being made there is nothing to say yet:
            // silence, and the client's next retransmission of the Offer finds the Accept.
            if (existing.State != SessionState.Preparing)
            {
                SendAccept(existing, sink);
            }
            return;
        }
        if (_tombstones.TryGet(offer.SessionId, out var ended))
        {
            // Ended: a late repeat or a replay. Either way the answer is the result, never a second session.
            if (!ended.Peer.Equals(from))
            {
                Stats.CountWrongPeer();
                return;
            }
            Stats.CountRepeatedOffer();
            SendResult(ended, sink, datagram.Length);
            return;
        }
        if (!_cookies.IsValid(from, offer.SessionId, offer.CookieIssuedAtSeconds, offer.CookieMac, Seconds(now)))
        {
            Stats.CountBadCookie();
            // Only a cookie we issued ourselves and that merely aged earns an answer; forgeries get silence.
            if (offer.CookieIssuedAtSeconds + _cookies.LifetimeSeconds < Seconds(now)
                && _cookies.Issue(from, offer.SessionId, offer.CookieIssuedAtSeconds) == offer.CookieMac)
            {
                Refuse(offer.SessionId, RejectReason.CookieExpired, string.Empty, from, sink, offer.Name);
            }
            return;
        }
        if (_tombstones.IsBeyondHorizon(offer.CookieIssuedAtSeconds))
        {
            // The session this cookie opened may be one whose tombstone was forgotten early: treat the
            // cookie as expired. An honest client starts over with a new Hello and a newer cookie.
            Stats.CountBadCookie();
            Refuse(offer.SessionId, RejectReason.CookieExpired, string.Empty, from, sink, offer.Name, "cookie older than a forgotten session");
            return;
        }

        int datagramSize = offer.ChunkSize + Wire.DataHeaderSize + _tag;
        if (datagramSize is < Wire.MinDatagramSize or > Wire.MaxDatagramSize)
        {
            Refuse(offer.SessionId, RejectReason.BadOffer, "chunk size " + offer.ChunkSize + " out of range", from, sink, offer.Name);
            return;
        }
        string why = "not valid UTF-8";
        if (!validName || !FileNamePolicy.IsAcceptable(offer.Name, _options.AllowHidden, out why))
        {
            Refuse(offer.SessionId, RejectReason.NameRejected, "name rejected: " + why, from, sink, offer.Name);
            return;
        }
        long size = (long)Math.Min(offer.FileSize, long.MaxValue);
        if (offer.FileSize > (ulong)_options.MaxFileSize)
        {
            RefuseTooLarge(offer, from, sink, "exceeds --max-file-size " + _options.MaxFileSize + " bytes");
            return;
        }
        if (size > _options.MaxReservedPerHost)
        {
            // Never grantable, however long the client waits: not "busy" (which it would retry).
            RefuseTooLarge(offer, from, sink, "exceeds --max-reserved-per-host " + _options.MaxReservedPerHost + " bytes");
            return;
        }
        var hostKey = HostKey.Of(from);
        switch (_budget.TryAdmit(hostKey, size, _store.GetSpace(), out int count))
        {
            case Admission.ServerBusy:
                Refuse(offer.SessionId, RejectReason.ServerBusy, "server busy: " + count + " sessions in progress", from, sink, offer.Name);
                return;
            case Admission.HostBusy:
                Refuse(offer.SessionId, RejectReason.ServerBusy, "server busy: " + count + " transfers from your address in progress", from, sink, offer.Name);
                return;
            case Admission.HostReservedFull:
                Refuse(offer.SessionId, RejectReason.ServerBusy, "server busy: your transfers in progress already hold as many bytes as this server grants one address", from, sink, offer.Name);
                return;
            case Admission.NoRoom:
                // Said the same way as --max-file-size, and never with a figure: an offer must not measure the disk.
                RefuseTooLarge(offer, from, sink, "would leave less than --min-free " + _options.MinFree + " free");
                return;
        }
        var reason = _store.TryCreate(offer.Name, size, offer.SessionId, new ResumeKey(offer.Identity, offer.ChunkSize, (offer.Flags & OfferMessage.Encrypted) != 0), out var file);
        if (reason == RejectReason.NameBusy && SupersedeOrWait(offer, hostKey, now, sink))
        {
            // The same file from the same address while its earlier transfer still holds the name: that
            // client is gone (it crashed, or was stopped). Its partial file is set aside (or still being
            // written out: no session holds the name), and the new offer, asked again a moment later,
            // continues it.
            _budget.Release(hostKey, size, stillPreparing: true);
            Refuse(offer.SessionId, RejectReason.ServerBusy, "server busy: setting aside the earlier transfer of this file", from, sink, offer.Name);
            return;
        }
        if (reason != RejectReason.None || file is null)
        {
            _budget.Release(hostKey, size, stillPreparing: true);
            if (reason is RejectReason.DiskFull or RejectReason.TooLarge)
            {
                RefuseTooLarge(offer, from, sink, "refused by the store: " + RejectReasonText.Describe(reason));
            }
            else
            {
                Refuse(offer.SessionId, reason, RejectReasonText.Describe(reason), from, sink, offer.Name);
            }
            return;
        }

        ulong chunks = offer.FileSize == 0 ? 0 : (offer.FileSize + offer.ChunkSize - 1) / offer.ChunkSize;
        int window = (int)Math.Min((ulong)WindowFor(offer.ChunkSize), BitOperations.RoundUpToPowerOf2(Math.Max(64UL, chunks)));
        var session = new ReceiverSession(offer.SessionId, from, offer, file, window, now, keyed: _auth is not null);
        _sessions.Add(session.Id, session);
        _budget.Names.Hold(session, this);
        PublishSessionList();
        WatchBackground(session, file.PrepareAsync(_stopping.Token), now, sink);
    }

    /// <summary>The file is made (or could not be): Accept and start receiving, or refuse.</summary>
    private void OnPrepared(ReceiverSession session, RejectReason result, long now, IDatagramSink sink)
    {
        if (result != RejectReason.None)
        {
            // The file is already discarded. A full disk is reported like any other lack of room.
            var reason = result is RejectReason.DiskFull ? RejectReason.TooLarge : result;
            _observer.Refused(session.PeerText, session.Name, result is RejectReason.DiskFull ? "preallocation failed: disk full"
                : session.File.FailureDetail is { } detail ? RejectReasonText.Describe(result) + " (" + detail + ")" : RejectReasonText.Describe(result));
            EndSession(session, reason, RejectReasonText.Describe(reason), now, sink);
            return;
        }
        _budget.Prepared(session.FileSize);
        session.StartReceiving(now, session.File.ResumeFromChunk, session.File.HeldDigest);
        ScheduleIdleCheck(session, now + _idleTimeout);
        _observer.SessionStarted(session);
        SendAccept(session, sink);
    }

    private void RefuseTooLarge(in OfferMessage offer, SocketAddress from, IDatagramSink sink, string localDetail) =>
        Refuse(offer.SessionId, RejectReason.TooLarge, RejectReasonText.Describe(RejectReason.TooLarge), from, sink, offer.Name, localDetail);

    /// <param name="localDetail">What the server's own log says beyond the message the client gets.</param>
    private void Refuse(ulong sessionId, RejectReason reason, string message, SocketAddress from, IDatagramSink sink, string name, string? localDetail = null)
    {
        Stats.CountRejected();
        string said = message.Length > 0 ? message : RejectReasonText.Describe(reason);
        _observer.Refused(SocketAddressText.Format(from), name, localDetail is null ? said : said + " (" + localDetail + ")");
        int length = MessageCodec.WriteReject(_reply, new RejectMessage(sessionId, reason, message));
        Reply(length, from, sink);
    }

    private void SendAccept(ReceiverSession session, IDatagramSink sink)
    {
        int length = MessageCodec.WriteAccept(_reply, new AcceptMessage(session.Id, session.ResumedFromChunk, (uint)session.Window.WindowChunks, (ushort)session.ChunkSize, session.Packets.ServerRandom, session.Packets.NextOutgoing()));
        Reply(length, session.Peer, sink);
    }

    /// <summary>
    /// The name of <paramref name="offer"/> is claimed: true when the new offer should be asked again a moment
    /// later (answered "busy"), false when the name is taken by someone else. True when no session holds the
    /// name (its partial file is still being written out), and when the receiving session of the same file
    /// (name, size, identity) from the same client address holds it: that client is gone (it crashed, or was
    /// stopped), or a second live client sends the very same file from the same address (the first then fails
    /// with "cancelled"). That session is ended and its partial file set aside, by its own receive thread:
    /// here at once, or at the owner's next poll when it lives on another receive thread.
    /// </summary>
    private bool SupersedeOrWait(in OfferMessage offer, UInt128 hostKey, long now, IDatagramSink sink)
    {
        if (!_budget.Names.TryFind(offer.Name, out var holder))
        {
            return true;
        }
        var session = holder.Session;
        if (session.Host != hostKey || session.State != SessionState.Receiving || session.Id == offer.SessionId
            || offer.Identity == 0 || session.Identity != offer.Identity || session.FileSize != (long)offer.FileSize)
        {
            return false;
        }
        if (ReferenceEquals(holder.Owner, this))
        {
            Supersede(session, now, sink);
        }
        else
        {
            holder.Owner._supersede.Enqueue(session.Id);
        }
        return true;
    }

    /// <summary>Sets aside a session that a new offer of the same file replaces (if it still receives).</summary>
    private void Supersede(ReceiverSession session, long now, IDatagramSink sink)
    {
        if (session.State != SessionState.Receiving || !_sessions.ContainsKey(session.Id))
        {
            return;
        }
        SetAside(session);
        EndSession(session, RejectReason.Cancelled, "superseded by a new offer of the same file", now, sink);
    }

    /// <summary>The window must be reportable in one acknowledgement and bounded in bytes.</summary>
    private int WindowFor(int chunkSize)
    {
        int datagram = chunkSize + Wire.DataHeaderSize;
        long byBitmap = (long)(datagram - Wire.AckFixedSize) * 8;
        long byBytes = _options.MaxWindowBytes / chunkSize;
        long limit = Math.Min(Math.Min(byBitmap, byBytes), _options.MaxWindowChunks);
        return (int)Math.Max(64, BitOperations.RoundUpToPowerOf2((ulong)limit + 1) / 2);
    }
}
