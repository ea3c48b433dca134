using Udpx.Engine;
using Udpx.InMemory;
using Udpx.Server;

namespace Udpx.Benchmarks;

/// <summary>
/// One sender and one server protocol on the product's <see cref="InMemoryNetwork"/>, joined by a lossless
/// path with a fixed one-way delay, under a virtual clock: the datagram loop of a transfer with no socket and no waiting.
/// </summary>
internal sealed class InMemoryLink
{
    private const long OneWayMicros = 25;

    private readonly InMemoryNetwork _network;
    private readonly NetworkLink _link;
    private long _now;

    public InMemoryLink(ServerProtocol server, int datagramSize)
    {
        Server = server;
        _network = new InMemoryNetwork(new DirectPath(OneWayMicros), new DirectPath(OneWayMicros), datagramSize);
        _link = _network.Connect(new NetworkLink(null!, server, InMemoryNetwork.ClientAddress(40000)));
    }

    public ServerProtocol Server { get; }

    public long Datagrams => _network.Datagrams;

    /// <summary>Runs the sender to its end; returns the virtual microseconds it took. The clock runs on across transfers.</summary>
    public long Run(SenderProtocol sender)
    {
        _now += 1_000_000;
        long start = _now;
        _link.Sender = sender;
        _now = _network.RunUntilFinished(sender, start, start + 600_000_000);
        return _now - start;
    }
}
