namespace Udpx.Server;

/// <summary>Limits and timing of a udpx server; every limit is a command-line flag.</summary>
internal sealed record ServerOptions
{
    public int MaxSessions { get; init; } = 256;

    /// <summary>When set, every datagram must carry a valid tag for this key (--key-file / UDPX_KEY).</summary>
    public Protocol.PreSharedKey? Key { get; init; }

    public long MaxFileSize { get; init; } = long.MaxValue;

    /// <summary>Replace a file that already has the offered name (--overwrite); otherwise refuse the offer.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Accept names starting with "." (--allow-hidden); otherwise refuse them.</summary>
    public bool AllowHidden { get; init; }

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan CookieLifetime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a finished session still answers a late Finish with its result.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Acknowledge after this many new chunks in order.</summary>
    public int AckEvery { get; init; } = 32;

    /// <summary>
    /// Acknowledge after this many new chunks while a gap is open. Under 10% random loss a gap is nearly
    /// always open; acknowledging every 2 chunks then cost the client 16 times the acknowledgements of a
    /// clean path, and each acknowledgement costs about what a data datagram costs to send and receive.
    /// </summary>
    public int AckEveryInGap { get; init; } = 16;

    /// <summary>Acknowledge pending chunks after this long even if fewer arrived.</summary>
    public TimeSpan AckDelay { get; init; } = TimeSpan.FromMilliseconds(1);

    public int MaxWindowChunks { get; init; } = 8192;

    public long MaxWindowBytes { get; init; } = 64L << 20;
}
