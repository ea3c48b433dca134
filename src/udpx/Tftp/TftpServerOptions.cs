namespace Udpx.Tftp;

/// <summary>Limits and timing of the TFTP listener (`serve --tftp`).</summary>
internal sealed record TftpServerOptions
{
    /// <summary>Write requests are refused unless the server was started with --tftp-write (tftp-hpa's --create lesson).</summary>
    public bool AllowWrite { get; init; }

    public int MaxSessions { get; init; } = 256;

    public int MaxBlockSize { get; init; } = TftpTransferOptions.MaxBlockSize;

    /// <summary>Most blocks in flight a client may ask for; the window the sender really uses is also bounded by its congestion window.</summary>
    public int MaxWindowSize { get; init; } = 64;

    /// <summary>Retransmission timeout when the client asks for none (tftp-hpa's default too).</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive timeouts before a transfer is given up.</summary>
    public int MaxRetries { get; init; } = 10;

    /// <summary>How long an ended transfer stays listed on the screen (as udpx's <c>ServerOptions.Linger</c>).</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest file a write may store (--max-file-size).</summary>
    public long MaxFileSize { get; init; } = 64_000_000_000;
}
