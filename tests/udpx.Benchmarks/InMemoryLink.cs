using System.Net;
using Udpx.Engine;
using Udpx.Server;

namespace Udpx.Benchmarks;

/// <summary>
/// One sender and one server protocol joined by a lossless in-memory link with a fixed one-way delay,
/// under a virtual clock: the datagram loop of a transfer with no socket and no waiting.
/// </summary>
internal sealed class InMemoryLink : IDatagramSink
{
    private const long OneWayMicros = 25;

    private readonly SocketAddress _client = new IPEndPoint(IPAddress.Loopback, 40000).Serialize();
    private readonly Queue<(long At, byte[] Bytes, int Length)> _toClient = new();
    private readonly Queue<(long At, byte[] Bytes, int Length)> _toServer = new();
    private readonly Stack<byte[]> _free = new();
    private readonly int _datagramSize;
    private long _now;

    public InMemoryLink(ServerProtocol server, int datagramSize)
    {
        Server = server;
        _datagramSize = datagramSize;
    }

    public ServerProtocol Server { get; }

    public long Datagrams { get; private set; }

    /// <summary>Runs the sender to its end; returns the virtual microseconds it took. The clock runs on across transfers.</summary>
    public long Run(SenderProtocol sender)
    {
        _now += 1_000_000;
        long start = _now;
        byte[] buffer = new byte[_datagramSize];
        while (!sender.IsFinished && _now - start < 600_000_000)
        {
            int length;
            while ((length = sender.TryWriteNext(buffer, _now)) > 0)
            {
                _toServer.Enqueue((_now + OneWayMicros, Copy(buffer.AsSpan(0, length)), length));
                Datagrams++;
            }
            while (_toServer.TryPeek(out var d) && d.At <= _now)
            {
                _toServer.Dequeue();
                Server.Handle(d.Bytes.AsSpan(0, d.Length), _client, _now, this);
                _free.Push(d.Bytes);
            }
            while (_toClient.TryPeek(out var d) && d.At <= _now)
            {
                _toClient.Dequeue();
                sender.OnDatagram(d.Bytes.AsSpan(0, d.Length), _now);
                _free.Push(d.Bytes);
            }
            Server.Poll(_now, this);
            long next = Math.Min(sender.NextDeadline(_now), _now + 1_000);
            if (_toServer.TryPeek(out var s))
            {
                next = Math.Min(next, s.At);
            }
            if (_toClient.TryPeek(out var c))
            {
                next = Math.Min(next, c.At);
            }
            _now = Math.Max(_now + 1, next);
        }
        return _now - start;
    }

    public void Send(ReadOnlySpan<byte> datagram, SocketAddress to) =>
        _toClient.Enqueue((_now + OneWayMicros, Copy(datagram), datagram.Length));

    /// <summary>Reused buffers: the link itself should not be what allocates.</summary>
    private byte[] Copy(ReadOnlySpan<byte> datagram)
    {
        byte[] bytes = _free.Count > 0 ? _free.Pop() : new byte[_datagramSize];
        datagram.CopyTo(bytes);
        return bytes;
    }
}
