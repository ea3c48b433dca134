using System.Net;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>
/// One incoming file on a server: which chunks are held, when to acknowledge, and how it ended.
/// Owned by the server's receive thread; its counters may be read from any thread. The buffers of a
/// transfer (window, hash ring, write-behind, cipher) exist only while it is receiving: a session that is
/// preparing its file holds none yet, and an ended one gives them back at once.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "End() gives the buffers back, and every session ends (the server's Dispose ends those still live).")]
internal sealed class ReceiverSession
{
    private long _bytesReceived;
    private long _datagrams;
    private long _duplicates;
    private long _corrupt;
    private int _state;
    private HookOutcome? _hook;

    // The hash of each chunk held above the cumulative point, a ring like the window's bits.
    private ulong[]? _chunkHashes;
    private ReceiveWindow? _window;
    private WriteBehind? _pending;

    public ReceiverSession(ulong id, SocketAddress peer, in OfferMessage offer, IIncomingFile file, int windowChunks, long now, bool keyed = false)
    {
        _state = (int)SessionState.Preparing;
        Id = id;
        Packets = new SessionPackets(offer.ClientRandom, keyed);
        Encrypted = (offer.Flags & OfferMessage.Encrypted) != 0;
        Peer = new SocketAddress(peer.Family, peer.Size);
        peer.Buffer.Span[..peer.Size].CopyTo(Peer.Buffer.Span);
        PeerText = SocketAddressText.Format(peer);
        Name = offer.Name;
        Identity = offer.Identity;
        FileSize = (long)offer.FileSize;
        ChunkSize = offer.ChunkSize;
        File = file;
        WindowChunks = windowChunks;
        CookieIssuedAt = offer.CookieIssuedAtSeconds;
        Host = HostKey.Of(peer);
        StartedAt = now;
        LastActivity = now;
        LastAckAt = now;
    }

    public ulong Id { get; }

    /// <summary>Packet numbers both ways, the session randoms and, when keyed, the replay window.</summary>
    public SessionPackets Packets { get; }

    /// <summary>The client said in its Offer that the file bytes come encrypted.</summary>
    public bool Encrypted { get; }

    public SocketAddress Peer { get; }

    public string PeerText { get; }

    public string Name { get; }

    /// <summary>The client's identity of the file version (0: none, never resumed).</summary>
    public UInt128 Identity { get; }

    public long FileSize { get; }

    public int ChunkSize { get; }

    public IIncomingFile File { get; }

    /// <summary>The source address without its port: what the per-host limits count.</summary>
    public UInt128 Host { get; }

    /// <summary>When the cookie the offer carried was issued (server seconds).</summary>
    public ulong CookieIssuedAt { get; }

    public int WindowChunks { get; }

    /// <summary>Preallocation of the file, then its commit: background work whose end <see cref="ServerProtocol.Poll"/> observes.</summary>
    public Task<RejectReason>? Background { get; set; }

    /// <summary>True while the session is in the list of sessions with chunks not yet acknowledged.</summary>
    public bool AckScheduled { get; set; }

    /// <summary>The deadline the session's entry in the idle queue carries; 0 when it has none.</summary>
    public long IdleCheckAt { get; set; }

    /// <summary>The file's digest as received, grown chunk by chunk as the held prefix grows.</summary>
    public ChunkDigest Digest { get; private set; } = new();

    /// <summary>The chunk the transfer started from: above 0 when it continues a partial file kept from a cut transfer.</summary>
    public ulong ResumedFromChunk { get; private set; }

    /// <summary>Bytes that were on disk already when this transfer started (the resumed part).</summary>
    public long ResumedBytes => (long)Math.Min((ulong)FileSize, ResumedFromChunk * (ulong)ChunkSize);

    /// <summary>Bytes from the start of the file that are written (every chunk below the cumulative point).</summary>
    public long HeldBytes => _window is { } window ? (long)Math.Min((ulong)FileSize, window.Cumulative * (ulong)ChunkSize) : 0;

    /// <summary>The held bytes the last checkpoint recorded.</summary>
    public long CheckpointedBytes { get; set; }

    /// <summary>The digest the client sent in its Finish; null until one arrives.</summary>
    public UInt128? ClaimedDigest { get; set; }

    /// <summary>Decrypts this session's encrypted data datagrams; made on the first one.</summary>
    public Protocol.PayloadCipher? Cipher { get; set; }

    /// <summary>In-order chunks waiting to be written together.</summary>
    public WriteBehind Pending => _pending ?? throw new InvalidOperationException("session " + Id + " is not receiving");

    public ReceiveWindow Window => _window ?? throw new InvalidOperationException("session " + Id + " is not receiving");

    /// <summary>How the `--on-file` hook ended for this session's stored file; null until it has (or without a hook).</summary>
    public HookOutcome? Hook
    {
        get => Volatile.Read(ref _hook);
        set => Volatile.Write(ref _hook, value);
    }

    public long StartedAt { get; }

    public long FinishedAt { get; private set; }

    public long LastActivity { get; set; }

    public long LastAckAt { get; set; }

    public int UnackedNew { get; set; }

    public bool AckNow { get; set; }


    public RejectReason Result { get; private set; }

    public string ResultMessage { get; private set; } = string.Empty;

    public SessionState State => (SessionState)Volatile.Read(ref _state);

    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    public long Datagrams => Volatile.Read(ref _datagrams);

    public long Duplicates => Volatile.Read(ref _duplicates);

    public long Corrupt => Volatile.Read(ref _corrupt);

    public void CountNew(int bytes)
    {
        Volatile.Write(ref _datagrams, _datagrams + 1);
        Volatile.Write(ref _bytesReceived, _bytesReceived + bytes);
    }

    public void CountDuplicate()
    {
        Volatile.Write(ref _datagrams, _datagrams + 1);
        Volatile.Write(ref _duplicates, _duplicates + 1);
    }

    /// <summary>The file is ready: the buffers of the transfer are made and data is welcome.</summary>
    /// <param name="resumeFrom">The first chunk not yet on disk (a resumed transfer), with <paramref name="heldDigest"/> the digest of those below.</param>
    public void StartReceiving(long now, ulong resumeFrom = 0, ChunkDigest? heldDigest = null)
    {
        ulong total = FileSize == 0 ? 0 : ((ulong)FileSize + (ulong)ChunkSize - 1) / (ulong)ChunkSize;
        if (resumeFrom > 0 && heldDigest is not null && heldDigest.Chunks == resumeFrom && resumeFrom <= total)
        {
            ResumedFromChunk = resumeFrom;
            Digest = heldDigest;
        }
        _window = new ReceiveWindow(total, WindowChunks, ResumedFromChunk);
        CheckpointedBytes = ResumedBytes;
        _pending = new WriteBehind();
        LastActivity = now;
        LastAckAt = now;
        SetState(SessionState.Receiving);
    }

    /// <summary>Records the hash of a chunk just marked held and feeds the digest every chunk now in order.</summary>
    public void AddChunk(ulong chunk, ulong chunkHash)
    {
        // Made on the first chunk: a session opened and abandoned holds only its window's bits.
        var hashes = _chunkHashes ??= new ulong[WindowChunks];
        int mask = hashes.Length - 1;
        hashes[(int)(chunk & (ulong)mask)] = chunkHash;
        while (Digest.Chunks < Window.Cumulative)
        {
            Digest.Append(hashes[(int)(Digest.Chunks & (ulong)mask)]);
        }
    }

    public void CountCorrupt() => Volatile.Write(ref _corrupt, _corrupt + 1);

    public void SetState(SessionState state) => Volatile.Write(ref _state, (int)state);

    /// <summary>Ends the session and gives its buffers back; what remains is its result.</summary>
    public void End(RejectReason result, string message, long now)
    {
        _pending?.Dispose();
        _pending = null;
        _window = null;
        _chunkHashes = null;
        Cipher?.Dispose();
        Cipher = null;
        Background = null;
        Result = result;
        ResultMessage = message;
        FinishedAt = now;
        SetState(result == RejectReason.None ? SessionState.Done : SessionState.Failed);
    }
}

internal enum SessionState
{
    /// <summary>Accepted by the checks; its file is being created and preallocated off the receive thread.</summary>
    Preparing,
    Receiving,
    Verifying,
    Done,
    Failed,
}
