using System.Net;
using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Congestion;

/// <summary>
/// Transfers sharing one controller as the thread modes run them, under a virtual clock: each transfer
/// wakes only when a datagram for it arrives or at its own <see cref="SenderProtocol.NextDeadline"/>, as a
/// thread in poll(2) or a task on its timer does (<see cref="PathSimulation"/> instead asks every transfer at
/// every step). It counts the wake-ups that found nothing to do: each is a thread woken for nothing, which
/// on a real host takes CPU time from the server and from the transfers with acknowledgements to read.
/// </summary>
internal sealed class SharedWindowWakeups : IDatagramSink, IDisposable
{
    private const long ServerPollMicros = 250;

    private readonly PriorityQueue<(bool ToServer, int Flow, byte[] Bytes), (long At, long Seq)> _events = new();
    private readonly List<Transfer> _transfers = [];
    private readonly SharedBottleneck _bottleneck;
    private readonly long _oneWay;
    private readonly ServerProtocol _server;
    private long _seq;
    private long _now;

    public SharedWindowWakeups(SharedBottleneck bottleneck, long oneWayMicros)
    {
        _bottleneck = bottleneck;
        _oneWay = oneWayMicros;
        _server = new ServerProtocol(new ServerOptions { MaxSessions = 4096, MaxSessionsPerHost = 4096 }, Store);
    }

    public PatternStore Store { get; } = new();

    public CongestionController Path { get; } = new(1472, 1 << 16) { IsShared = true };

    /// <summary>Wake-ups in which a transfer neither received nor sent anything.</summary>
    public long EmptyWakeups { get; private set; }

    public long Datagrams { get; private set; }

    public long WindowFullWakeups { get; private set; }

    /// <summary>The most bytes that left in one microsecond, all transfers together, over the pacer's bound on back-to-back bytes then.</summary>
    public double WorstBurstOverBound { get; private set; }

    /// <summary>The most datagrams that left in one microsecond, all transfers together, while paced.</summary>
    public int WorstBurstDatagrams { get; private set; }

    /// <summary>When the last transfer finished, microseconds.</summary>
    public long FinishedAt { get; private set; }

    public IEnumerable<SenderProtocol> Senders => _transfers.Select(t => t.Sender);

    public void Add(long size)
    {
        int id = _transfers.Count;
        var plan = new TransferPlan(0x2000_0000_0000_0001UL + ((ulong)id * 2), "shared" + id + ".bin", size, 1472);
        var options = new SenderOptions { Path = Path, IdleTimeout = TimeSpan.FromMinutes(10) };
        _transfers.Add(new Transfer(new SenderProtocol(plan, new PatternFile(size), options, new TransferCounters()), new IPEndPoint(IPAddress.Loopback, 41000 + id).Serialize()));
    }

    public void Run(long untilMicros)
    {
        long nextPoll = 0;
        while (_now < untilMicros && !_transfers.TrueForAll(t => t.Sender.IsFinished))
        {
            while (_events.TryPeek(out var e, out var when) && when.At <= _now)
            {
                _events.Dequeue();
                if (e.ToServer)
                {
                    _server.Handle(e.Bytes, _transfers[e.Flow].Address, _now, this);
                }
                else
                {
                    var transfer = _transfers[e.Flow];
                    transfer.Sender.OnDatagram(e.Bytes, _now);
                    transfer.Received = true;
                    if (transfer.Sender.IsFinished)
                    {
                        FinishedAt = _now;
                    }
                }
            }
            if (_now >= nextPoll)
            {
                _server.Poll(_now, this);
                nextPoll = _now + ServerPollMicros;
            }
            for (int i = 0; i < _transfers.Count; i++)
            {
                var transfer = _transfers[i];
                if (transfer.Sender.IsFinished || (!transfer.Received && _now < transfer.WakeAt))
                {
                    continue;
                }
                int sent = SendDue(i);
                if (sent == 0 && !transfer.Received)
                {
                    EmptyWakeups++;
                    if (Path.InFlight >= Path.Window)
                    {
                        WindowFullWakeups++;
                    }
                }
                transfer.Received = false;
                transfer.WakeAt = transfer.Sender.IsFinished ? long.MaxValue : transfer.Sender.NextDeadline(_now);
            }
            long next = nextPoll;
            foreach (var transfer in _transfers)
            {
                next = Math.Min(next, transfer.WakeAt);
            }
            if (_events.TryPeek(out _, out var first))
            {
                next = Math.Min(next, first.At);
            }
            _now = Math.Max(_now + 1, next);
        }
    }

    public void Send(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        int flow = _transfers.FindIndex(t => t.Address.Equals(to));
        if (flow >= 0)
        {
            _events.Enqueue((false, flow, datagram.ToArray()), (_now + _oneWay, _seq++));
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        foreach (var transfer in _transfers)
        {
            transfer.Sender.Dispose();
        }
    }

    private long _burstAt = -1;
    private long _burstBytes;
    private int _burstDatagrams;

    /// <summary>Docs' bound (docs/protocol.md, "Paced") on data datagrams: max(2 datagrams, 250 µs of the rate), never more than 64 KiB.</summary>
    private void NoteDeparture(int length)
    {
        if (_now != _burstAt)
        {
            (_burstAt, _burstBytes, _burstDatagrams) = (_now, 0, 0);
        }
        _burstBytes += length;
        _burstDatagrams++;
        double rate = Path.PacingBytesPerSecond / 1e6;
        if (rate > 0)
        {
            double bound = Math.Max(2.0 * 1472, Math.Min(rate * Pacer.BurstMicros, Pacer.MaxBurstBytes));
            WorstBurstOverBound = Math.Max(WorstBurstOverBound, _burstBytes / bound);
            WorstBurstDatagrams = Math.Max(WorstBurstDatagrams, _burstDatagrams);
        }
    }

    private int SendDue(int flow)
    {
        var transfer = _transfers[flow];
        int sent = 0;
        int length;
        while ((length = transfer.Sender.TryWriteNext(transfer.Buffer, _now)) > 0)
        {
            sent++;
            Datagrams++;
            if (transfer.Buffer[2] == (byte)MessageType.Data)
            {
                // The pacer paces data; a transfer's few control datagrams (its 48-byte Finish) leave unpaced.
                NoteDeparture(length);
            }
            if (_bottleneck.TryEnter(flow, length, _now, out long departAt))
            {
                _events.Enqueue((true, flow, transfer.Buffer.AsSpan(0, length).ToArray()), (departAt + _oneWay, _seq++));
            }
        }
        return sent;
    }

    private sealed class Transfer(SenderProtocol sender, SocketAddress address)
    {
        public SenderProtocol Sender => sender;

        public SocketAddress Address => address;

        public byte[] Buffer { get; } = new byte[1472];

        public long WakeAt { get; set; }

        public bool Received { get; set; }
    }
}
