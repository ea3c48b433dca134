using System.Net;
using Udpx.Engine;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Congestion;

/// <summary>
/// Many flows through one bottleneck under a virtual clock: udpx transfers (each its own session of one
/// server, with a controller of its own or one shared by a "process") and TCP CUBIC competitors. The
/// bottleneck sits on the way to the server; the way back has the same propagation delay and no queue.
/// Deterministic for a seed; a simulated minute takes a second or two.
/// </summary>
internal sealed class PathSimulation : IDatagramSink
{
    private readonly PriorityQueue<Event, (long At, long Seq)> _events = new();
    private readonly List<UdpxFlow> _udpx = [];
    private readonly List<CubicFlow> _cubic = [];
    private readonly Random _returnLoss;
    private readonly Random _jitter;
    private long _seq;
    private long _now;

    public PathSimulation(SharedBottleneck bottleneck, long oneWayMicros, double returnLoss = 0, int seed = 7)
    {
        Bottleneck = bottleneck;
        OneWayMicros = oneWayMicros;
        ReturnLoss = returnLoss;
        _returnLoss = new Random(seed);
        _jitter = new Random(seed + 1);
        Server = new ServerProtocol(new ServerOptions { MaxSessions = 4096, MaxSessionsPerHost = 4096 }, Store);
    }

    public SharedBottleneck Bottleneck { get; }

    public long OneWayMicros { get; }

    public double ReturnLoss { get; }

    /// <summary>
    /// Each datagram's one-way delay varies by up to this much either side, independently in each direction,
    /// as `udpx relay --delay D±J` does: datagrams overtake each other and the RTT samples spread.
    /// </summary>
    public long JitterMicros { get; init; }

    /// <summary>Percent of datagrams (both ways) held back by <see cref="ReorderHoldMicros"/>, overtaken by those behind them.</summary>
    public double ReorderPercent { get; init; }

    public long ReorderHoldMicros { get; init; } = 2_000;

    /// <summary>
    /// A busy host (loopback on a loaded machine): the receiving side is descheduled now and then, every
    /// 2 to 20 ms for up to this long, and handles what arrived meanwhile when it runs again. Its RTT
    /// samples then grow without any queue of the sender's making.
    /// </summary>
    public long HostStallMicros { get; init; }

    /// <summary>
    /// A way back that stops now and then (the fairness lab's delay stage when its CPU is taken, a Wi-Fi
    /// hop): every <see cref="ReturnHoleEveryMicros"/> nothing reaches the client for this long, and what
    /// the server sent meanwhile arrives together when the hole ends. No datagram is lost and no queue grows.
    /// </summary>
    public long ReturnHoleMicros { get; init; }

    public long ReturnHoleEveryMicros { get; init; } = 500_000;

    private long _stallFrom = -1;
    private long _stallUntil = -1;

    public PatternStore Store { get; } = new();

    /// <summary>The virtual time, microseconds.</summary>
    public long Now => _now;

    public ServerProtocol Server { get; }

    public IReadOnlyList<UdpxFlow> Udpx => _udpx;

    public IReadOnlyList<CubicFlow> Cubic => _cubic;

    /// <summary>Adds a udpx transfer of <paramref name="size"/> bytes starting at <paramref name="startAt"/>; its flow id is its index.</summary>
    public UdpxFlow AddUdpx(long size, long startAt = 0, CongestionController? shared = null, bool background = false, int datagramSize = 1472)
    {
        int id = _udpx.Count;
        var plan = new TransferPlan(0x1000_0000_0000_0001UL + ((ulong)id * 2), "flow" + id + ".bin", size, datagramSize);
        var options = new SenderOptions { Path = shared, Background = background, IdleTimeout = TimeSpan.FromMinutes(10) };
        var counters = new TransferCounters();
        var flow = new UdpxFlow(id, startAt, new SenderProtocol(plan, new PatternFile(size), options, counters),
            new IPEndPoint(IPAddress.Loopback, 40000 + id).Serialize(), datagramSize, counters);
        _udpx.Add(flow);
        return flow;
    }

    /// <summary>Adds a TCP CUBIC flow; its flow id is 1000 + its index.</summary>
    public CubicFlow AddCubic(long startAt = 0, long stopAt = long.MaxValue)
    {
        var flow = new CubicFlow(1000 + _cubic.Count, startAt, stopAt);
        _cubic.Add(flow);
        return flow;
    }

    public void Run(long untilMicros, long measureFrom)
    {
        Bottleneck.MeasureFrom = measureFrom;
        while (_now < untilMicros && !(_cubic.Count == 0 && _udpx.TrueForAll(f => f.Sender.IsFinished)))
        {
            SendWhatIsDue();
            bool stalled = Stalled();
            while (_events.TryPeek(out var e, out var when) && when.At <= _now)
            {
                _events.Dequeue();
                if (stalled && e.Kind == EventKind.ToServer)
                {
                    // Handled in order when the host runs again.
                    Schedule(_stallUntil, e);
                    continue;
                }
                Deliver(e);
            }
            if (!stalled)
            {
                Server.Poll(_now, this);
            }
            _now = Math.Max(_now + 1, NextTime());
        }
    }

    /// <summary>Bytes per second of <paramref name="flow"/> at the bottleneck over the measured span.</summary>
    public double Throughput(int flow, long untilMicros) =>
        Bottleneck.DepartedBytes.GetValueOrDefault(flow) / ((untilMicros - Bottleneck.MeasureFrom) / 1_000_000.0);

    /// <summary><paramref name="flow"/>'s part of the bottleneck's rate over the measured span.</summary>
    public double Share(int flow, long untilMicros) => Throughput(flow, untilMicros) / Bottleneck.BytesPerSecond;

    public void Send(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        if (ReturnLoss > 0 && _returnLoss.NextDouble() < ReturnLoss)
        {
            return;
        }
        var flow = _udpx.Find(f => f.Address.Equals(to));
        if (flow is not null)
        {
            Schedule(ReturnHoleEnd() + OneWay(), new Event(EventKind.ToClient, flow.Id, 0, datagram.ToArray()));
        }
    }

    private void SendWhatIsDue()
    {
        foreach (var flow in _udpx)
        {
            if (_now < flow.StartAt || flow.Sender.IsFinished)
            {
                continue;
            }
            int length;
            while ((length = flow.Sender.TryWriteNext(flow.Buffer, _now)) > 0)
            {
                flow.Datagrams++;
                if (Bottleneck.TryEnter(flow.Id, length, _now, out long departAt))
                {
                    Schedule(departAt + OneWay(), new Event(EventKind.ToServer, flow.Id, 0, flow.Buffer.AsSpan(0, length).ToArray()));
                }
            }
        }
        foreach (var cubic in _cubic)
        {
            cubic.CheckTimeout(_now);
            while (cubic.WantsToSend(_now))
            {
                long seq = cubic.Send(_now);
                if (Bottleneck.TryEnter(cubic.Id, CubicFlow.PacketBytes, _now, out long departAt))
                {
                    // The receiver acknowledges at once; the acknowledgement comes back without queueing.
                    Schedule(departAt + (2 * OneWayMicros), new Event(EventKind.CubicAck, cubic.Id - 1000, seq, null));
                }
            }
        }
    }

    private void Deliver(Event e)
    {
        switch (e.Kind)
        {
            case EventKind.ToServer:
                Server.Handle(e.Bytes!, _udpx[e.Flow].Address, _now, this);
                break;
            case EventKind.ToClient:
                _udpx[e.Flow].Sender.OnDatagram(e.Bytes!, _now);
                break;
            case EventKind.CubicAck:
                _cubic[e.Flow].OnAck(e.Seq, _now);
                break;
        }
    }

    private long NextTime()
    {
        // The server's delayed acknowledgements have no deadline we can read: look at it at least this often.
        long next = _now + 250;
        foreach (var flow in _udpx)
        {
            if (!flow.Sender.IsFinished)
            {
                next = Math.Min(next, _now < flow.StartAt ? flow.StartAt : flow.Sender.NextDeadline(_now));
            }
        }
        foreach (var cubic in _cubic)
        {
            if (_now < cubic.StartAt)
            {
                next = Math.Min(next, cubic.StartAt);
            }
        }
        if (_events.TryPeek(out _, out var first))
        {
            next = Math.Min(next, first.At);
        }
        return next;
    }

    private bool Stalled()
    {
        if (HostStallMicros <= 0)
        {
            return false;
        }
        if (_now >= _stallUntil)
        {
            _stallFrom = _now + _jitter.NextInt64(2_000, 20_000);
            _stallUntil = _stallFrom + _jitter.NextInt64(HostStallMicros / 10, HostStallMicros + 1);
        }
        return _now >= _stallFrom;
    }

    /// <summary>When a datagram the server sends now starts its way back: at once, or when the hole it fell in ends.</summary>
    private long ReturnHoleEnd()
    {
        if (ReturnHoleMicros <= 0)
        {
            return _now;
        }
        long holeStart = _now - (_now % ReturnHoleEveryMicros);
        return _now < holeStart + ReturnHoleMicros ? holeStart + ReturnHoleMicros : _now;
    }

    private long OneWay()
    {
        long delay = OneWayMicros;
        if (JitterMicros > 0)
        {
            delay += _jitter.NextInt64(-JitterMicros, JitterMicros + 1);
        }
        if (ReorderPercent > 0 && _jitter.NextDouble() * 100 < ReorderPercent)
        {
            delay += ReorderHoldMicros;
        }
        return Math.Max(0, delay);
    }

    private void Schedule(long at, Event e) => _events.Enqueue(e, (at, _seq++));

    private enum EventKind
    {
        ToServer,
        ToClient,
        CubicAck,
    }

    private readonly record struct Event(EventKind Kind, int Flow, long Seq, byte[]? Bytes);
}

/// <summary>One udpx transfer in a <see cref="PathSimulation"/>.</summary>
internal sealed class UdpxFlow(int id, long startAt, SenderProtocol sender, SocketAddress address, int datagramSize, TransferCounters counters)
{
    public int Id => id;

    public long StartAt => startAt;

    public SenderProtocol Sender => sender;

    /// <summary>What the transfer's screen line would show: bytes, datagrams, retransmissions.</summary>
    public TransferCounters Counters => counters;

    public SocketAddress Address => address;

    public byte[] Buffer { get; } = new byte[datagramSize];

    public long Datagrams { get; set; }
}
