using System.Net;
using Udpx.Engine;
using Udpx.Server;

namespace Udpx.InMemory;

/// <summary>
/// Senders and server protocols joined in memory, the one in-memory network of udpx: the protocol tests (under a
/// virtual clock, over scripted paths), the benchmarks (a lossless delayed path, no socket) and the UI preview
/// (paced by the real clock). No socket is opened and time is whatever the caller says it is: <see cref="Step"/>
/// at a moment lets every sender write what it may, delivers every datagram due by then in time order (a reply
/// due at once is delivered in the same step) and polls the servers; <see cref="NextEvent"/> says when to step next.
/// Buffers are reused, so a step allocates nothing per datagram beyond what the paths and protocols do.
/// </summary>
internal sealed class InMemoryNetwork : IDatagramSink, IArrivals
{
    private readonly PriorityQueue<(NetworkLink Link, bool ToServer, byte[] Bytes, int Length), (long At, long Seq)> _queue = new();
    private readonly Dictionary<SocketAddress, NetworkLink> _byAddress = [];
    private readonly List<NetworkLink> _links = [];
    private readonly List<ServerProtocol> _servers = [];
    private readonly Stack<byte[]> _free = new();
    private readonly byte[] _buffer;
    private NetworkLink? _carrying;
    private bool _carryingToServer;
    private long _seq;

    public InMemoryNetwork(IDatagramPath? toServer = null, IDatagramPath? toClient = null, int maxDatagramSize = 65_507)
    {
        ToServer = toServer ?? new DirectPath();
        ToClient = toClient ?? new DirectPath();
        _buffer = new byte[maxDatagramSize];
    }

    public IDatagramPath ToServer { get; }

    public IDatagramPath ToClient { get; }

    /// <summary>The moment of the step in progress (or the last one).</summary>
    public long NowMicros { get; private set; }

    /// <summary>Most datagrams one sender writes in a step; no limit by default.</summary>
    public int MaxBurst { get; init; } = int.MaxValue;

    /// <summary>Datagrams the senders wrote.</summary>
    public long Datagrams { get; private set; }

    /// <summary>Called just before a datagram reaches a server (a test restarts the server here).</summary>
    public Action<NetworkLink>? ServerReceiving { get; set; }

    /// <summary>When set, every datagram passes through it just before its sender sees it (a rewriting middlebox).</summary>
    public Func<byte[], byte[]>? RewriteToClient { get; set; }

    public IReadOnlyList<NetworkLink> Links => _links;

    /// <summary>A server that is polled every step, with or without links.</summary>
    public void AddServer(ServerProtocol server)
    {
        if (!_servers.Contains(server))
        {
            _servers.Add(server);
        }
    }

    /// <summary>Puts <paramref name="replacement"/> where <paramref name="server"/> was, for its links too (a restart).</summary>
    public void ReplaceServer(ServerProtocol server, ServerProtocol replacement)
    {
        int index = _servers.IndexOf(server);
        if (index >= 0)
        {
            _servers[index] = replacement;
        }
        foreach (var link in _links)
        {
            if (link.Server == server)
            {
                link.Server = replacement;
            }
        }
    }

    public NetworkLink Connect(NetworkLink link)
    {
        AddServer(link.Server);
        _links.Add(link);
        _byAddress[link.Address] = link;
        return link;
    }

    /// <summary>Forgets a link; what is still on its way to it is dropped.</summary>
    public void Disconnect(NetworkLink link)
    {
        _links.Remove(link);
        _byAddress.Remove(link.Address);
    }

    /// <summary>Client address <paramref name="port"/> on 127.0.0.1, as the servers see it.</summary>
    public static SocketAddress ClientAddress(int port) => new IPEndPoint(IPAddress.Loopback, port).Serialize();

    /// <summary>One moment: senders write, due datagrams arrive in time order, servers poll. True when any sender wrote.</summary>
    public bool Step(long nowMicros)
    {
        NowMicros = nowMicros;
        bool wrote = false;
        for (int i = 0; i < _links.Count; i++)
        {
            var link = _links[i];
            int sent = 0;
            int length;
            while (sent < MaxBurst && (length = link.Sender.TryWriteNext(_buffer, nowMicros)) > 0)
            {
                sent++;
                Datagrams++;
                var datagram = _buffer.AsSpan(0, length);
                link.Sent?.Invoke(datagram, nowMicros);
                (_carrying, _carryingToServer) = (link, true);
                ToServer.Carry(datagram, nowMicros, this);
            }
            wrote |= sent > 0;
        }
        while (_queue.TryPeek(out var arrival, out var when) && when.At <= nowMicros)
        {
            _queue.Dequeue();
            var link = arrival.Link;
            if (_byAddress.TryGetValue(link.Address, out var current) && current == link)
            {
                if (arrival.ToServer)
                {
                    ServerReceiving?.Invoke(link);
                    link.Server.Handle(arrival.Bytes.AsSpan(0, arrival.Length), link.Address, nowMicros, this);
                }
                else if (RewriteToClient is { } rewrite)
                {
                    link.Sender.OnDatagram(rewrite(arrival.Bytes[..arrival.Length]), nowMicros);
                }
                else
                {
                    link.Sender.OnDatagram(arrival.Bytes.AsSpan(0, arrival.Length), nowMicros);
                }
            }
            _free.Push(arrival.Bytes);
        }
        for (int i = 0; i < _servers.Count; i++)
        {
            _servers[i].Poll(nowMicros, this);
        }
        return wrote;
    }

    /// <summary>When to step next: the first sender deadline or arrival, and at most a millisecond on.</summary>
    public long NextEvent(long nowMicros)
    {
        long next = nowMicros + 1_000;
        for (int i = 0; i < _links.Count; i++)
        {
            next = Math.Min(next, _links[i].Sender.NextDeadline(nowMicros));
        }
        if (_queue.TryPeek(out _, out var first))
        {
            next = Math.Min(next, first.At);
        }
        // A window still open after a send pass means the rate limiter holds us; move on regardless.
        return Math.Max(nowMicros + 1, next);
    }

    /// <summary>Steps a virtual clock from <paramref name="fromMicros"/> until <paramref name="sender"/> ends or the limit; returns the moment it stopped.</summary>
    public long RunUntilFinished(SenderProtocol sender, long fromMicros, long limitMicros, Action<long>? clock = null)
    {
        long now = fromMicros;
        while (!sender.IsFinished && now < limitMicros)
        {
            clock?.Invoke(now);
            Step(now);
            now = NextEvent(now);
        }
        clock?.Invoke(now);
        return now;
    }

    /// <summary>A server's reply, to the link of the address it goes to.</summary>
    public void Send(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        if (_byAddress.TryGetValue(to, out var link))
        {
            (_carrying, _carryingToServer) = (link, false);
            ToClient.Carry(datagram, NowMicros, this);
        }
    }

    public void Arrive(long atMicros, ReadOnlySpan<byte> datagram)
    {
        byte[] bytes = _free.Count > 0 && _free.Peek().Length >= datagram.Length ? _free.Pop() : new byte[Math.Max(datagram.Length, 1472)];
        datagram.CopyTo(bytes);
        _queue.Enqueue((_carrying!, _carryingToServer, bytes, datagram.Length), (atMicros, _seq++));
    }
}
