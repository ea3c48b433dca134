namespace Udpx.Server;

/// <summary>Limits and timing of a udpx server; every limit is a command-line flag.</summary>
internal sealed record ServerOptions
{
    public int MaxSessions { get; init; } = 256;

    /// <summary>
    /// Receive threads, each with a socket of its own on the bind address (SO_REUSEPORT) and the sessions the
    /// kernel hands it (--receive-threads); the limits hold across all of them. 1: one socket, one thread.
    /// </summary>
    public int ReceiveThreads { get; init; } = 1;

    /// <summary>`udpx serve`'s default receive threads (see docs/performance.md for the measurement behind it).</summary>
    public static int ServeReceiveThreads => ReusePort.IsSupported ? Math.Clamp(Environment.ProcessorCount, 1, 4) : 1;

    /// <summary><see cref="ServeReceiveThreads"/> in words, for --help.</summary>
    public const string ServeReceiveThreadsRule = "the core count, at most 4; 1 without SO_REUSEPORT";

    /// <summary>When set, every datagram must carry a valid tag for this key (--key-file / UDPX_KEY).</summary>
    public Protocol.PreSharedKey? Key { get; init; }

    /// <summary>
    /// Largest file accepted (--max-file-size). 64 GB holds any disk image or data set a lab sends, and
    /// keeps one offer from reserving a whole disk; raise it for more.
    /// </summary>
    public long MaxFileSize { get; init; } = 64_000_000_000;

    /// <summary>Free space an accepted offer must leave on the output filesystem (--min-free).</summary>
    public DiskReserve MinFree { get; init; } = DiskReserve.Default;

    /// <summary>
    /// Most sessions holding resources (preparing, receiving, verifying) from one address
    /// (--max-sessions-per-host): a quarter of <see cref="MaxSessions"/>, so that one host never takes
    /// the whole server, yet a lab client sending a few dozen files at once in thread mode fits.
    /// </summary>
    public int MaxSessionsPerHost { get; init; } = 64;

    /// <summary>Most bytes offered by one address's sessions in progress together (--max-reserved-per-host).</summary>
    public long MaxReservedPerHost { get; init; } = 128_000_000_000;

    /// <summary>Most ended sessions remembered (their tombstones); past it the oldest are forgotten early.</summary>
    public int MaxTombstones { get; init; } = 65_536;

    /// <summary>Replace a file that already has the offered name (--overwrite); otherwise refuse the offer.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Accept names starting with "." (--allow-hidden); otherwise refuse them.</summary>
    public bool AllowHidden { get; init; }

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the partial file of a cut transfer is kept for a resume (--keep-partial); zero keeps none.</summary>
    public TimeSpan KeepPartial { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The program run once per stored file (--on-file), off the receive threads; null: none.</summary>
    public HookCommand? OnFile { get; init; }

    /// <summary>How long one run of <see cref="OnFile"/> may take before it and its children are killed (--on-file-timeout).</summary>
    public TimeSpan OnFileTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A receiving file's held prefix is made durable and recorded every this many bytes (what a server crash may cost a resume).</summary>
    public long CheckpointBytes { get; init; } = 8L << 20;

    public TimeSpan CookieLifetime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a finished session still answers a late Finish with its result. Its tombstone is kept at
    /// least <see cref="CookieLifetime"/> + 1 s whatever this says, so no cookie outlives it.
    /// </summary>
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
