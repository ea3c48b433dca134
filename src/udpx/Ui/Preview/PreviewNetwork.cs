using System.Diagnostics;
using System.Net;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Protocol;
using Udpx.Server;

namespace Udpx.Ui.Preview;

/// <summary>
/// Senders and servers of the UI preview talking in memory on one thread, paced by the real clock and
/// each sender's rate cap, with a little loss and duplication so that the screens have something to say.
/// No socket is opened.
/// </summary>
internal sealed class PreviewNetwork : IDatagramSink
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Link> _links = [];
    private readonly List<PreviewServer> _servers = [];
    private readonly Dictionary<SocketAddress, Link> _byAddress = [];
    private readonly Lock _lock = new();
    private readonly Random _random = new(7);
    private readonly byte[] _buffer = new byte[Wire.EthernetDatagramSize];
    private int _nextPort = 41000;

    public double Loss { get; init; } = 0.01;

    public double Duplication { get; init; } = 0.003;

    public long NowMicros => _clock.Elapsed.Ticks / 10;

    public PreviewServer AddServer(string name)
    {
        var ring = new DatagramRing();
        var server = new PreviewServer(name, new ServerProtocol(new ServerOptions(), new PreviewFileStore(), new RingRecorder(ring)), ring);
        lock (_lock)
        {
            _servers.Add(server);
        }
        return server;
    }

    /// <summary>Starts sending a random file of <paramref name="size"/> bytes to <paramref name="server"/>; the handle sees it all.</summary>
    public TransferHandle StartTransfer(PreviewServer server, int jobId, string name, int size, long bytesPerSecond)
    {
        byte[] file = new byte[size];
        new Random(jobId).NextBytes(file);
        var handle = new TransferHandle(new TransferJob(jobId, name, name, server.Name, new TransferSettings())) { FileSize = size };
        var plan = new TransferPlan((ulong)Random.Shared.NextInt64(), name, size, Wire.EthernetDatagramSize);
        var sender = new SenderProtocol(plan, new MemoryChunkSource(file), new SenderOptions { RateBytesPerSecond = bytesPerSecond }, handle.Counters);
        lock (_lock)
        {
            var address = new IPEndPoint(IPAddress.Loopback, _nextPort++).Serialize();
            var link = new Link(sender, server, handle, address, NowMicros);
            _links.Add(link);
            _byAddress[address] = link;
        }
        return handle;
    }

    public void Run(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            bool busy = false;
            lock (_lock)
            {
                long now = NowMicros;
                foreach (var link in _links)
                {
                    busy |= Pump(link, now);
                }
                foreach (var server in _servers)
                {
                    server.Protocol.Poll(now, this);
                }
                foreach (var link in _links)
                {
                    if (link.Handle.Result is not null)
                    {
                        _byAddress.Remove(link.Address);
                    }
                }
                _links.RemoveAll(link => link.Handle.Result is not null);
            }
            if (!busy)
            {
                Thread.Sleep(1);
            }
        }
    }

    private bool Pump(Link link, long now)
    {
        var sender = link.Sender;
        int sent = 0;
        int length;
        while (sent < 64 && (length = sender.TryWriteNext(_buffer, now)) > 0)
        {
            sent++;
            var datagram = _buffer.AsSpan(0, length);
            if (MessageCodec.TryReadData(datagram, out ulong chunk, out _, out var payload))
            {
                link.Handle.Stream.Record(now, sender.SessionId, chunk, link.Handle.Counters.Snapshot().BytesSent, length, payload);
                if (_random.NextDouble() < Loss)
                {
                    continue;
                }
                if (_random.NextDouble() < Duplication)
                {
                    link.Server.Protocol.Handle(datagram, link.Address, now, this);
                }
            }
            link.Server.Protocol.Handle(datagram, link.Address, now, this);
        }
        if (sender.IsFinished && link.Handle.Result is null)
        {
            var counters = link.Handle.Counters.Snapshot();
            var outcome = sender.Outcome;
            link.Handle.Complete(new TransferResult
            {
                JobId = link.Handle.Job.Id,
                Name = link.Handle.Job.Name,
                Server = link.Handle.Job.Server,
                Bytes = outcome.BytesStored,
                Verified = outcome.Verified,
                Error = outcome.Verified ? string.Empty : outcome.Message,
                Seconds = (now - link.StartedAt) / 1e6,
                DatagramsSent = counters.DatagramsSent,
                Retransmitted = counters.Retransmitted,
                RttMicros = counters.RttMicros,
                ProcessId = Environment.ProcessId,
            });
        }
        return sent > 0;
    }

    public void Send(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        if (_byAddress.TryGetValue(to, out var link) && link.Handle.Result is null)
        {
            link.Sender.OnDatagram(datagram, NowMicros);
        }
    }

    private sealed record Link(SenderProtocol Sender, PreviewServer Server, TransferHandle Handle, SocketAddress Address, long StartedAt);

    /// <summary>Records each new data datagram a server takes into its stream ring, as the real server loop does.</summary>
    private sealed class RingRecorder(DatagramRing ring) : IServerObserver
    {
        public bool WantsDatagrams => true;

        public void SessionStarted(ReceiverSession session)
        {
        }

        public void SessionEnded(ReceiverSession session, double seconds)
        {
        }

        public void Refused(string peer, string name, string reason)
        {
        }

        public void Datagram(ReceiverSession session, ulong chunk, int length, ReadOnlySpan<byte> payload) =>
            ring.Record(session.LastActivity, session.Id, chunk, session.BytesReceived, length, payload);
    }
}

/// <summary>A server of the preview: the name its clients use, its protocol, and the ring of datagrams it took.</summary>
internal sealed record PreviewServer(string Name, ServerProtocol Protocol, DatagramRing Ring);
