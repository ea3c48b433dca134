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
            // The Accept was lost: say it again (or the result, if already known).
            if (existing.State is SessionState.Done or SessionState.Failed)
            {
                SendDone(existing, sink);
            }
            else
            {
                SendAccept(existing, sink);
            }
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
        if (offer.FileSize > (ulong)_options.MaxFileSize)
        {
            Refuse(offer.SessionId, RejectReason.TooLarge, "file of " + offer.FileSize + " bytes exceeds the server limit of " + _options.MaxFileSize + " bytes", from, sink, offer.Name);
            return;
        }
        if (_active >= _options.MaxSessions)
        {
            Refuse(offer.SessionId, RejectReason.ServerBusy, "server busy: " + _active + " sessions in progress", from, sink, offer.Name);
            return;
        }
        var reason = _store.TryCreate(offer.Name, (long)offer.FileSize, offer.SessionId, out var file);
        if (reason != RejectReason.None || file is null)
        {
            Refuse(offer.SessionId, reason, RejectReasonText.Describe(reason), from, sink, offer.Name);
            return;
        }

        ulong chunks = offer.FileSize == 0 ? 0 : (offer.FileSize + offer.ChunkSize - 1) / offer.ChunkSize;
        int window = (int)Math.Min((ulong)WindowFor(offer.ChunkSize), BitOperations.RoundUpToPowerOf2(Math.Max(64UL, chunks)));
        var session = new ReceiverSession(offer.SessionId, from, offer, file, window, now, keyed: _auth is not null);
        _sessions.Add(session.Id, session);
        Volatile.Write(ref _active, _active + 1);
        PublishSessionList();
        _observer.SessionStarted(session);
        SendAccept(session, sink);
    }

    private void Refuse(ulong sessionId, RejectReason reason, string message, SocketAddress from, IDatagramSink sink, string name)
    {
        Stats.CountRejected();
        _observer.Refused(SocketAddressText.Format(from), name, message.Length > 0 ? message : RejectReasonText.Describe(reason));
        int length = MessageCodec.WriteReject(_reply, new RejectMessage(sessionId, reason, message));
        Reply(length, from, sink);
    }

    private void SendAccept(ReceiverSession session, IDatagramSink sink)
    {
        int length = MessageCodec.WriteAccept(_reply, new AcceptMessage(session.Id, 0, (uint)session.Window.WindowChunks, (ushort)session.ChunkSize, session.Packets.ServerRandom, session.Packets.NextOutgoing()));
        Reply(length, session.Peer, sink);
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
