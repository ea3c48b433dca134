using System.Diagnostics;
using Udpx.Engine;
using Udpx.InMemory;
using Udpx.Modes;
using Udpx.Net;
using Udpx.Protocol;
using Udpx.Server;

namespace Udpx.Ui.Preview;

/// <summary>
/// Senders and servers of the UI preview (`udpx ui-preview`, hidden) on the <see cref="InMemoryNetwork"/>, on one
/// thread, paced by the real clock and each sender's rate cap, with a little loss and duplication. No socket is
/// opened. It stays in the product because the preview is how the screens are looked at and checked on any
/// terminal, with no servers, ports or files to set up; the network itself is the one the tests and benchmarks use.
/// </summary>
internal sealed class PreviewNetwork
{
    private const double Loss = 0.01;
    private const double Duplication = 0.003;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly InMemoryNetwork _network = new(new PreviewPath(Loss, Duplication), maxDatagramSize: Wire.EthernetDatagramSize) { MaxBurst = 64 };
    private readonly Dictionary<NetworkLink, (TransferHandle Handle, long StartedAt)> _transfers = [];
    private readonly Lock _lock = new();
    private int _nextPort = 41000;

    public long NowMicros => _clock.Elapsed.Ticks / 10;

    public PreviewServer AddServer(string name)
    {
        var ring = new DatagramRing();
        var server = new PreviewServer(name, new ServerProtocol(new ServerOptions(), new DiscardingFileStore()) { Stream = ring }, ring);
        lock (_lock)
        {
            _network.AddServer(server.Protocol);
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
            var link = new NetworkLink(sender, server.Protocol, InMemoryNetwork.ClientAddress(_nextPort++))
            {
                Sent = (datagram, now) =>
                {
                    if (MessageCodec.TryReadData(datagram, out ulong chunk, out _, out var payload))
                    {
                        handle.Stream.Record(now, sender.SessionId, chunk, handle.Counters.Snapshot().BytesSent, datagram.Length, payload);
                    }
                },
            };
            _transfers[_network.Connect(link)] = (handle, NowMicros);
        }
        return handle;
    }

    public void Run(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            bool busy;
            lock (_lock)
            {
                long now = NowMicros;
                busy = _network.Step(now);
                foreach (var link in _network.Links.Where(l => l.Sender.IsFinished).ToList())
                {
                    Complete(link, now);
                }
            }
            if (!busy)
            {
                Thread.Sleep(1);
            }
        }
    }

    private void Complete(NetworkLink link, long now)
    {
        var (handle, startedAt) = _transfers[link];
        _transfers.Remove(link);
        _network.Disconnect(link);
        var counters = handle.Counters.Snapshot();
        var outcome = link.Sender.Outcome;
        handle.Complete(new TransferResult
        {
            JobId = handle.Job.Id,
            Name = handle.Job.Name,
            Server = handle.Job.Server,
            Bytes = outcome.BytesStored,
            Verified = outcome.Verified,
            Error = outcome.Verified ? string.Empty : outcome.Message,
            Seconds = (now - startedAt) / 1e6,
            DatagramsSent = counters.DatagramsSent,
            Retransmitted = counters.Retransmitted,
            RttMicros = counters.RttMicros,
            ProcessId = Environment.ProcessId,
        });
    }
}

/// <summary>A server of the preview: the name its clients use, its protocol, and the ring of datagrams it took.</summary>
internal sealed record PreviewServer(string Name, ServerProtocol Protocol, DatagramRing Ring);
