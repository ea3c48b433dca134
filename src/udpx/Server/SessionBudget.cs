namespace Udpx.Server;

/// <summary>
/// The limits every receive thread of one server draws on together: sessions in progress (--max-sessions),
/// sessions and offered bytes per source address (--max-sessions-per-host, --max-reserved-per-host), and the
/// bytes of files still being made, which the free-space check (--min-free) counts as taken. Each
/// <see cref="ServerProtocol"/> owns its sessions; this is the one thing they share, so a check and the
/// reservation it grants happen under one lock, once per offer and once per session end (never per datagram).
/// </summary>
internal sealed class SessionBudget(ServerOptions options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<UInt128, HostUsage> _hosts = [];
    private int _active;
    private long _preparingBytes;

    /// <summary>Which receive thread's session holds each name being received (a takeover may come in on another thread).</summary>
    public NameHolders Names { get; } = new();

    /// <summary>Sessions holding resources (preparing, receiving or verifying) on every receive thread.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>
    /// Checks the limits for one more session of <paramref name="size"/> bytes from <paramref name="host"/> and,
    /// when they allow it, reserves it (as preparing). <paramref name="count"/> is the figure the refusal names.
    /// </summary>
    public Admission TryAdmit(UInt128 host, long size, DiskSpace? space, out int count)
    {
        lock (_lock)
        {
            count = _active;
            if (_active >= options.MaxSessions)
            {
                return Admission.ServerBusy;
            }
            var usage = _hosts.GetValueOrDefault(host);
            count = usage?.Sessions ?? 0;
            if (usage is not null && usage.Sessions >= options.MaxSessionsPerHost)
            {
                return Admission.HostBusy;
            }
            if (size > options.MaxReservedPerHost - (usage?.Reserved ?? 0))
            {
                return Admission.HostReservedFull;
            }
            if (space is { } s && s.Available - _preparingBytes - size < options.MinFree.For(s.Total))
            {
                return Admission.NoRoom;
            }
            if (usage is null)
            {
                usage = new HostUsage();
                _hosts.Add(host, usage);
            }
            usage.Sessions++;
            usage.Reserved += size;
            _preparingBytes += size;
            Volatile.Write(ref _active, _active + 1);
            return Admission.Admitted;
        }
    }

    /// <summary>The session's file is made: its bytes no longer count as being prepared.</summary>
    public void Prepared(long size)
    {
        lock (_lock)
        {
            _preparingBytes -= size;
        }
    }

    /// <summary>A session admitted by <see cref="TryAdmit"/> ended (or never got its file): its share goes back.</summary>
    public void Release(UInt128 host, long size, bool stillPreparing)
    {
        lock (_lock)
        {
            if (stillPreparing)
            {
                _preparingBytes -= size;
            }
            if (_hosts.TryGetValue(host, out var usage))
            {
                usage.Reserved -= size;
                if (--usage.Sessions == 0)
                {
                    _hosts.Remove(host);
                }
            }
            Volatile.Write(ref _active, _active - 1);
        }
    }
}

/// <summary>What <see cref="SessionBudget.TryAdmit"/> decided.</summary>
internal enum Admission
{
    Admitted,
    ServerBusy,
    HostBusy,
    HostReservedFull,
    NoRoom,
}
