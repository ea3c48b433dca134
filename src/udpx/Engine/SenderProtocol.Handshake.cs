using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>Getting to the data: the server's answers to Hello and Offer, refusals, and starting over after a server restart.</summary>
internal sealed partial class SenderProtocol
{
    private const int MaxRestarts = 3;

    private ulong _cookieIssuedAt;
    private ulong _cookieMac;
    private long _busySince = -1;
    private int _busyRetries;
    private int _restarts;

    /// <summary>Times the transfer started over because the server had lost its session (it restarted).</summary>
    public int Restarts => _restarts;

    private void OnReject(in RejectMessage reject, long now)
    {
        if (reject.Reason == RejectReason.CookieExpired)
        {
            // Only an Offer can draw it; anywhere else it is a late copy (or a replay) and means nothing.
            if (_phase == TransferPhase.Offering)
            {
                Enter(TransferPhase.Connecting);
                _controlDue = now;
            }
            return;
        }
        if (reject.Reason == RejectReason.ServerBusy && _phase == TransferPhase.Offering && WaitWhileBusy(now))
        {
            return;
        }
        if (reject.Reason == RejectReason.UnknownSession && _phase is TransferPhase.Sending or TransferPhase.Finishing && _restarts < MaxRestarts)
        {
            // The server restarted and lost the session (and deleted its partial file): start over cleanly.
            Restart(now);
            return;
        }
        if (_phase is TransferPhase.Offering or TransferPhase.Sending or TransferPhase.Finishing)
        {
            Finish(new TransferOutcome(false, reject.Reason, reject.Message.Length > 0 ? reject.Message : RejectReasonText.Describe(reject.Reason), 0));
        }
    }

    /// <summary>
    /// A busy server (at its session limits) is asked again, Hello and Offer anew, after a backoff that
    /// doubles from 100 ms to 2 s with a jitter of its own per session, for up to
    /// <see cref="SenderOptions.BusyWait"/>: a client sending more files at once than the server takes
    /// from one address gets each in as others finish. False once the wait is used up.
    /// </summary>
    private bool WaitWhileBusy(long now)
    {
        if (_busySince < 0)
        {
            _busySince = now;
        }
        if (now - _busySince >= Micros(_options.BusyWait))
        {
            return false;
        }
        _busyRetries++;
        long delay = Math.Min(100_000L << Math.Min(_busyRetries - 1, 5), 2_000_000) + (long)((_sessionId >> (_busyRetries & 31)) % 100_000);
        Enter(TransferPhase.Connecting);
        _startedAt = now + delay; // the connect timeout counts from the next Hello
        _controlDue = now + delay;
        _controlInterval = ColdHelloWaitMicros;
        return true;
    }

    private void Restart(long now)
    {
        _restarts++;
        // A new session id, so that nothing of the old session can be mistaken for the new one.
        _sessionId = (_sessionId * 0x9E3779B97F4A7C15UL) + 0x632BE59BD9B4E019UL | 1;
        _clientRandom = NewRandom();
        _cipher?.Dispose();
        _cipher = null;
        _replay?.Reset();
        _largestAckPacket = 0;
        _duplicatesSeen = 0;
        _digest.Reset();
        _finishNow = false;
        _slots.Clear();
        _order.Clear();
        _lost.Clear();
        _premature.Clear();
        _cum = 0;
        _next = 0;
        _congestion.Release(_inFlight);
        _inFlight = 0;
        _latestAckedSeq = -1;
        _rackDeadline = long.MaxValue;
        _bytesAcked = 0;
        Enter(TransferPhase.Connecting);
        _startedAt = now;
        _progressAt = now;
        _controlDue = now;
        _controlInterval = ColdHelloWaitMicros;
    }

    private void StartSending(in AcceptMessage accept, long now)
    {
        if (accept.ChunkSize != _chunkSize || accept.ResumeFromChunk > _total)
        {
            Finish(new TransferOutcome(false, RejectReason.BadOffer, "server answered with a different chunk size", 0));
            return;
        }
        _busySince = -1;
        if (_options.Encrypt && _options.Key is { } key)
        {
            _cipher = new PayloadCipher(key, _sessionId, _clientRandom, accept.ServerRandom);
        }
        _window = (int)Math.Clamp(accept.WindowChunks, 16u, (uint)_slots.Capacity);
        _cum = accept.ResumeFromChunk;
        _next = _cum;
        DigestHeldChunks();
        _bytesAcked = (long)Math.Min((ulong)_plan.FileSize, _cum * (ulong)_chunkSize);
        ResumedBytes = _bytesAcked;
        Enter(TransferPhase.Sending);
        if (_cum == _total)
        {
            EnterFinishing(now);
        }
    }

    private int WriteOffer(Span<byte> buffer) => MessageCodec.WriteOffer(buffer, new OfferMessage(
        _sessionId, _cookieIssuedAt, _cookieMac, (ulong)_plan.FileSize, (ushort)_chunkSize, _options.Encrypt ? OfferMessage.Encrypted : (ushort)0,
        _plan.Name, _clientRandom, _nextPacket++, _plan.Identity));

    /// <summary>Bytes the server said it already held (Accept's resume point): never sent in this transfer.</summary>
    public long ResumedBytes { get; private set; }

    private static UInt128 NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Wire.RandomSize];
        Udpx.Common.KernelRandom.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }
}
