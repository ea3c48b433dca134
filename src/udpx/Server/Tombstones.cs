using System.Net;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>What is left of an ended session: enough to answer its client again, nothing of its buffers.</summary>
internal sealed class Tombstone(ulong id, SocketAddress peer, RejectReason result, long bytes, string message, ulong cookieIssuedAt, long endedAt, bool accepted, int chunkSize, ulong nextPacket)
{
    private ulong _nextPacket = nextPacket;

    /// <summary>The server's next packet number for this session: its answers go on counting up.</summary>
    public ulong NextOutgoing() => _nextPacket++;

    /// <summary>The session's chunk size: late data datagrams coalesced by the kernel are still cut where they end.</summary>
    public int ChunkSize => chunkSize;

    /// <summary>False when the session ended before its Accept (its file could not be made): repeats get the Reject again.</summary>
    public bool Accepted => accepted;

    public ulong Id => id;

    public SocketAddress Peer => peer;

    public RejectReason Result => result;

    public long Bytes => bytes;

    public string Message => message;

    /// <summary>When the cookie that opened the session was issued (server seconds).</summary>
    public ulong CookieIssuedAt => cookieIssuedAt;

    public long EndedAt => endedAt;
}

/// <summary>
/// Ended sessions, kept so that a repeated or replayed Offer, Finish or Data for them is answered with
/// their Done and never opens a second session. Each is kept <see cref="Keep"/> after its end (longer
/// than any cookie stays valid); at most <see cref="Capacity"/> are kept. Evicting one early raises
/// <see cref="Horizon"/>: an offer whose cookie was issued at or before it is refused as expired, since
/// its session might be the one forgotten.
/// </summary>
internal sealed class Tombstones(int capacity, long keepMicros)
{
    private readonly Dictionary<ulong, Tombstone> _byId = [];
    // In the order they ended; the keep time is the same for all, so also in the order they expire.
    private readonly Queue<Tombstone> _byEnd = new();

    public int Capacity => capacity;

    public long Keep => keepMicros;

    public int Count => _byId.Count;

    /// <summary>The newest cookie time of a tombstone evicted before it expired; 0 when none was.</summary>
    public ulong Horizon { get; private set; }

    /// <summary>Tombstones dropped early to respect the cap.</summary>
    public long Evicted { get; private set; }

    public bool TryGet(ulong id, out Tombstone tombstone) => _byId.TryGetValue(id, out tombstone!);

    public void Add(Tombstone tombstone)
    {
        while (_byId.Count >= capacity && _byEnd.TryDequeue(out var oldest))
        {
            if (_byId.Remove(oldest.Id))
            {
                Horizon = Math.Max(Horizon, oldest.CookieIssuedAt);
                Evicted++;
            }
        }
        if (_byId.TryAdd(tombstone.Id, tombstone))
        {
            _byEnd.Enqueue(tombstone);
        }
    }

    /// <summary>Forgets the tombstones kept long enough; returns how many it looked at.</summary>
    public int Expire(long now)
    {
        int visited = 0;
        while (_byEnd.TryPeek(out var oldest) && now - oldest.EndedAt >= keepMicros)
        {
            _byEnd.Dequeue();
            _byId.Remove(oldest.Id);
            visited++;
        }
        return visited;
    }

    /// <summary>True when a session opened by a cookie of this time might have been forgotten early.</summary>
    public bool IsBeyondHorizon(ulong cookieIssuedAt) => Evicted > 0 && cookieIssuedAt <= Horizon;
}
