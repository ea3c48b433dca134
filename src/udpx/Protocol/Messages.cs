namespace Udpx.Protocol;

/// <summary>Client → server, first datagram of a session. Padded to <see cref="Wire.HelloSize"/>.</summary>
internal readonly record struct HelloMessage(ulong SessionId, ulong ClientTimeMicros);

/// <summary>Server → client: proof-of-address token, stateless on the server.</summary>
internal readonly record struct CookieMessage(ulong SessionId, ulong EchoTimeMicros, ulong IssuedAtSeconds, ulong Mac);

/// <summary>Client → server: the file, carrying the cookie back.</summary>
internal readonly record struct OfferMessage(
    ulong SessionId,
    ulong CookieIssuedAtSeconds,
    ulong CookieMac,
    ulong FileSize,
    ushort ChunkSize,
    ushort Flags,
    string Name);

/// <summary>Server → client: session created; data may flow.</summary>
internal readonly record struct AcceptMessage(ulong SessionId, ulong ResumeFromChunk, uint WindowChunks, ushort ChunkSize);

/// <summary>Server → client: the session is refused or ended with an error.</summary>
internal readonly record struct RejectMessage(ulong SessionId, RejectReason Reason, string Message);

/// <summary>
/// Client → server, once every chunk has been sent: the file's <see cref="ChunkDigest"/>, which the
/// client computes while sending. The server stores the file only if its own digest matches.
/// </summary>
internal readonly record struct FinishMessage(ulong SessionId, ulong FileSize, UInt128 Digest);

/// <summary>Server → client: selective acknowledgement.</summary>
internal readonly ref struct AckMessage
{
    public AckMessage(ulong sessionId, ulong cumulative, uint echoTimeMicros, uint duplicates, ReadOnlySpan<byte> bitmap)
    {
        SessionId = sessionId;
        Cumulative = cumulative;
        EchoTimeMicros = echoTimeMicros;
        Duplicates = duplicates;
        Bitmap = bitmap;
    }

    public ulong SessionId { get; }

    /// <summary>Every chunk below this index is held by the server.</summary>
    public ulong Cumulative { get; }

    /// <summary>The send timestamp of the newest data datagram the server saw.</summary>
    public uint EchoTimeMicros { get; }

    /// <summary>Data datagrams received twice so far (wrapping): retransmissions that were not needed.</summary>
    public uint Duplicates { get; }

    /// <summary>Bit i (LSB first) set: chunk Cumulative + 1 + i is held.</summary>
    public ReadOnlySpan<byte> Bitmap { get; }
}

/// <summary>Server → client: the file is verified and stored (Reason None) or failed.</summary>
internal readonly record struct DoneMessage(ulong SessionId, RejectReason Reason, ulong BytesStored, string Message);
