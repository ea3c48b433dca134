namespace Udpx.Protocol;

/// <summary>Client → server, first datagram of a session. Padded to <see cref="Wire.HelloSize"/>.</summary>
internal readonly record struct HelloMessage(ulong SessionId, ulong ClientTimeMicros, ulong PacketNumber = 0);

/// <summary>Server → client: proof-of-address token, stateless on the server (packet number 0).</summary>
internal readonly record struct CookieMessage(ulong SessionId, ulong EchoTimeMicros, ulong IssuedAtSeconds, ulong Mac);

/// <summary>
/// Client → server: the file, carrying the cookie back and the client's random for the session keys.
/// <see cref="Name"/> is the path relative to the sent folder ("a/b/c.bin", or just "c.bin");
/// <see cref="Identity"/> names this version of the file, so that a server resumes only the same bytes.
/// </summary>
internal readonly record struct OfferMessage(
    ulong SessionId,
    ulong CookieIssuedAtSeconds,
    ulong CookieMac,
    ulong FileSize,
    ushort ChunkSize,
    ushort Flags,
    string Name,
    UInt128 ClientRandom = default,
    ulong PacketNumber = 0,
    UInt128 Identity = default)
{
    /// <summary>Offer flag: the file bytes will be encrypted (--encrypt).</summary>
    public const ushort Encrypted = 0x0001;
}

/// <summary>Server → client: session created; data may flow. Carries the server's random for the session keys.</summary>
internal readonly record struct AcceptMessage(ulong SessionId, ulong ResumeFromChunk, uint WindowChunks, ushort ChunkSize, UInt128 ServerRandom = default, ulong PacketNumber = 0);

/// <summary>Server → client: the session is refused or ended with an error.</summary>
internal readonly record struct RejectMessage(ulong SessionId, RejectReason Reason, string Message, ulong PacketNumber = 0);

/// <summary>
/// Client → server, once every chunk has been sent: the file's <see cref="ChunkDigest"/>, which the
/// client computes while sending. The server stores the file only if its own digest matches.
/// </summary>
internal readonly record struct FinishMessage(ulong SessionId, ulong FileSize, UInt128 Digest, ulong PacketNumber = 0);

/// <summary>Server → client: selective acknowledgement.</summary>
internal readonly ref struct AckMessage
{
    public AckMessage(ulong sessionId, ulong packetNumber, ulong largestReceived, ulong cumulative, uint echoTimeMicros, uint duplicates, ReadOnlySpan<byte> bitmap)
    {
        SessionId = sessionId;
        PacketNumber = packetNumber;
        LargestReceived = largestReceived;
        Cumulative = cumulative;
        EchoTimeMicros = echoTimeMicros;
        Duplicates = duplicates;
        Bitmap = bitmap;
    }

    public ulong SessionId { get; }

    /// <summary>The server's packet number of this Ack: a later Ack has a larger one.</summary>
    public ulong PacketNumber { get; }

    /// <summary>The largest packet number of a data datagram the server has received in this session.</summary>
    public ulong LargestReceived { get; }

    /// <summary>Every chunk below this index is held by the server.</summary>
    public ulong Cumulative { get; }

    /// <summary>The send timestamp of the data datagram that reached the server last (for RTT samples).</summary>
    public uint EchoTimeMicros { get; }

    /// <summary>Data datagrams received twice so far (wrapping): retransmissions that were not needed.</summary>
    public uint Duplicates { get; }

    /// <summary>Bit i (LSB first) set: chunk Cumulative + 1 + i is held.</summary>
    public ReadOnlySpan<byte> Bitmap { get; }
}

/// <summary>Server → client: the file is verified and stored (Reason None) or failed.</summary>
internal readonly record struct DoneMessage(ulong SessionId, RejectReason Reason, ulong BytesStored, string Message, ulong PacketNumber = 0);
