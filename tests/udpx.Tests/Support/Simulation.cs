using System.Net;
using Udpx.Engine;
using Udpx.Server;

namespace Udpx.Tests.Support;

/// <summary>
/// Runs one sender and one server protocol against each other over scripted channels, under a
/// virtual clock: deterministic for a seed, and fast because nobody waits for real time.
/// </summary>
internal sealed class Simulation : IDatagramSink
{
    private readonly PriorityQueue<(bool ToServer, byte[] Bytes), (long At, long Seq)> _events = new();
    private readonly SocketAddress _client = new IPEndPoint(IPAddress.Loopback, 40000).Serialize();
    private long _seq;

    public Simulation(ScriptedChannel toServer, ScriptedChannel toClient, ServerOptions? serverOptions = null, IFileStore? store = null)
    {
        ToServer = toServer;
        ToClient = toClient;
        Server = new ServerProtocol(serverOptions ?? new ServerOptions(), store ?? Store);
    }

    public ManualTimeProvider Clock { get; } = new();

    public MemoryFileStore Store { get; } = new();

    public ServerProtocol Server { get; private set; }

    /// <summary>After this many datagrams reach the server, it "restarts": a new protocol, all sessions lost.</summary>
    public long RestartServerAfter { get; set; } = -1;

    private long _delivered;

    public ScriptedChannel ToServer { get; }

    public ScriptedChannel ToClient { get; }

    public TransferCounters Counters { get; } = new();

    /// <summary>When set, every datagram is passed through it just before the client sees it (a rewriting middlebox).</summary>
    public Func<byte[], byte[]>? RewriteToClient { get; set; }

    public SenderProtocol Run(byte[] file, string name = "file.bin", int datagramSize = 1472, SenderOptions? options = null, long limitMicros = 600_000_000)
    {
        var plan = new TransferPlan(0x1234_5678_9abc_def0, name, file.Length, datagramSize, options?.Key is null ? 0 : Udpx.Protocol.DatagramAuthenticator.TagSize);
        Store.ChunkSize = plan.ChunkSize;
        var sender = new SenderProtocol(plan, new MemoryChunkSource(file), options ?? new SenderOptions(), Counters);
        return Run(sender, datagramSize, limitMicros);
    }

    public SenderProtocol Run(SenderProtocol sender, int datagramSize, long limitMicros)
    {
        byte[] buffer = new byte[datagramSize];
        long now = 0;
        while (!sender.IsFinished && now < limitMicros)
        {
            Clock.AdvanceTo(now);
            int length;
            while ((length = sender.TryWriteNext(buffer, now)) > 0)
            {
                foreach (var (at, bytes) in ToServer.Transmit(buffer.AsSpan(0, length), now))
                {
                    _events.Enqueue((true, bytes), (at, _seq++));
                }
            }
            while (_events.TryPeek(out var e, out var when) && when.At <= now)
            {
                _events.Dequeue();
                if (e.ToServer)
                {
                    if (++_delivered == RestartServerAfter)
                    {
                        Server.Dispose();
                        Server = new ServerProtocol(new ServerOptions(), Store);
                    }
                    Server.Handle(e.Bytes, _client, now, this);
                }
                else
                {
                    sender.OnDatagram(RewriteToClient is null ? e.Bytes : RewriteToClient(e.Bytes), now);
                }
            }
            Server.Poll(now, this);

            long next = Math.Min(sender.NextDeadline(now), now + 1_000);
            if (_events.TryPeek(out _, out var first))
            {
                next = Math.Min(next, first.At);
            }
            // A window still open after a send pass means the rate limiter holds us; move on regardless.
            now = Math.Max(now + 1, next);
        }
        Clock.AdvanceTo(now);
        return sender;
    }

    public void Send(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        foreach (var (at, bytes) in ToClient.Transmit(datagram, Clock.NowMicros))
        {
            _events.Enqueue((false, bytes), (at, _seq++));
        }
    }

    public static byte[] RandomFile(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
