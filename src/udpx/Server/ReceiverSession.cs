using System.Net;
using Udpx.Engine;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>
/// One incoming file on a server: which chunks are held, when to acknowledge, and how it ended.
/// Owned by the server's receive thread; its counters may be read from any thread.
/// </summary>
internal sealed class ReceiverSession
{
    private long _bytesReceived;
    private long _datagrams;
    private long _duplicates;
    private long _corrupt;
    private int _state;

    // The hash of each chunk held above the cumulative point, a ring like the window's bits.
    private readonly ulong[] _chunkHashes;

    public ReceiverSession(ulong id, SocketAddress peer, in OfferMessage offer, IIncomingFile file, int windowChunks, long now, bool keyed = false)
    {
        Id = id;
        Packets = new SessionPackets(offer.ClientRandom, keyed);
        Encrypted = (offer.Flags & OfferMessage.Encrypted) != 0;
        Peer = new SocketAddress(peer.Family, peer.Size);
        peer.Buffer.Span[..peer.Size].CopyTo(Peer.Buffer.Span);
        PeerText = SocketAddressText.Format(peer);
        Name = offer.Name;
        FileSize = (long)offer.FileSize;
        ChunkSize = offer.ChunkSize;
        File = file;
        ulong total = offer.FileSize == 0 ? 0 : (offer.FileSize + offer.ChunkSize - 1) / offer.ChunkSize;
        Window = new ReceiveWindow(total, windowChunks);
        _chunkHashes = new ulong[windowChunks];
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

    public long FileSize { get; }

    public int ChunkSize { get; }

    public IIncomingFile File { get; }

    /// <summary>The file's digest as received, grown chunk by chunk as the held prefix grows.</summary>
    public ChunkDigest Digest { get; } = new();

    /// <summary>The digest the client sent in its Finish; null until one arrives.</summary>
    public UInt128? ClaimedDigest { get; set; }

    /// <summary>Decrypts this session's encrypted data datagrams; made on the first one.</summary>
    public Protocol.PayloadCipher? Cipher { get; set; }

    /// <summary>In-order chunks waiting to be written together.</summary>
    public WriteBehind Pending { get; } = new();

    public ReceiveWindow Window { get; }

    public long StartedAt { get; }

    public long FinishedAt { get; private set; }

    public long LastActivity { get; set; }

    public long LastAckAt { get; set; }

    public int UnackedNew { get; set; }

    public bool AckNow { get; set; }

    public Task<RejectReason>? Verification { get; set; }

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

    /// <summary>Records the hash of a chunk just marked held and feeds the digest every chunk now in order.</summary>
    public void AddChunk(ulong chunk, ulong chunkHash)
    {
        int mask = _chunkHashes.Length - 1;
        _chunkHashes[(int)(chunk & (ulong)mask)] = chunkHash;
        while (Digest.Chunks < Window.Cumulative)
        {
            Digest.Append(_chunkHashes[(int)(Digest.Chunks & (ulong)mask)]);
        }
    }

    public void CountCorrupt() => Volatile.Write(ref _corrupt, _corrupt + 1);

    public void SetState(SessionState state) => Volatile.Write(ref _state, (int)state);

    public void End(RejectReason result, string message, long now)
    {
        Result = result;
        ResultMessage = message;
        FinishedAt = now;
        SetState(result == RejectReason.None ? SessionState.Done : SessionState.Failed);
    }
}

internal enum SessionState
{
    Receiving,
    Verifying,
    Done,
    Failed,
}
