using Udpx.Protocol;

namespace Udpx.Engine;

/// <summary>
/// What one transfer sends: a file (its path relative to the sent folder, and <paramref name="Identity"/>,
/// which lets a server resume it; 0 never resumes) and the datagram size to use.
/// </summary>
internal sealed record TransferPlan(ulong SessionId, string Name, long FileSize, int DatagramSize, int TagSize = 0, UInt128 Identity = default)
{
    /// <summary>Payload bytes per data datagram: what is left after the header and the authentication tag.</summary>
    public int ChunkSize => Wire.ChunkSizeFor(DatagramSize) - TagSize;

    public ulong TotalChunks => FileSize == 0 ? 0 : (ulong)((FileSize + ChunkSize - 1) / ChunkSize);
}

/// <summary>Knobs of the sending side (a transfer's <see cref="TransferSettings"/> add the datagram size and TFTP's).</summary>
internal record SenderOptions
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>No new data acknowledged for this long ends the transfer (control exchanges are not progress).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a server that answers "busy" is asked again before the transfer fails.</summary>
    public TimeSpan BusyWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The whole transfer, restarts included, may take this long (--job-timeout); infinite by default.</summary>
    public TimeSpan JobTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>Fixed cap in bytes per second; 0 means none.</summary>
    public long RateBytesPerSecond { get; init; }

    /// <summary>Authenticates every datagram when set (--key-file / UDPX_KEY).</summary>
    public PreSharedKey? Key { get; init; }

    /// <summary>Encrypts the file bytes too (--encrypt); needs <see cref="Key"/>.</summary>
    public bool Encrypt { get; init; }

    /// <summary>The path's congestion controller, shared by the transfers to one server; null gives the transfer one of its own.</summary>
    public CongestionController? Path { get; init; }

    /// <summary>
    /// A round trip to the server measured before this transfer and outside <see cref="Path"/>: a process-mode
    /// worker is handed its parent's memory of the path. 0: none.
    /// </summary>
    public long PathRttMicros { get; init; }

    /// <summary>Yield to all other traffic (LEDBAT-like, --background); used when <see cref="Path"/> is null.</summary>
    public bool Background { get; init; }

    /// <summary>When set, the transfer shakes hands and then waits for the gate to open before its first data (blocking driver).</summary>
    public StartGate? Gate { get; init; }

    /// <summary>Most chunks in flight; a power of two.</summary>
    public int MaxWindowChunks { get; init; } = 8192;
}

/// <summary>How a transfer ended, as its server said (or why we gave up).</summary>
internal readonly record struct TransferOutcome(bool Verified, RejectReason Reason, string Message, long BytesStored);
