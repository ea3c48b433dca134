using System.Net;
using Udpx.Engine;
using Udpx.InMemory;
using Udpx.Server;

namespace Udpx.Tests.Support;

/// <summary>
/// Runs one sender and one server protocol against each other over scripted channels, under a
/// virtual clock: deterministic for a seed, and fast because nobody waits for real time. The datagrams
/// travel on the product's <see cref="InMemoryNetwork"/>, the one the benchmarks and the UI preview use.
/// </summary>
internal sealed class Simulation : IDatagramSink
{
    private readonly InMemoryNetwork _network;
    private readonly NetworkLink _link;
    private long _delivered;

    public Simulation(ScriptedChannel toServer, ScriptedChannel toClient, ServerOptions? serverOptions = null, IFileStore? store = null)
    {
        ToServer = toServer;
        ToClient = toClient;
        Server = new ServerProtocol(serverOptions ?? new ServerOptions(), store ?? Store);
        _network = new InMemoryNetwork(toServer, toClient) { ServerReceiving = Restart };
        // One client address and one link for the life of the simulation: a second Run goes on where the first stopped.
        _link = _network.Connect(new NetworkLink(null!, Server, InMemoryNetwork.ClientAddress(40000)));
    }

    public ManualTimeProvider Clock { get; } = new();

    public MemoryFileStore Store { get; } = new();

    public ServerProtocol Server { get; private set; }

    /// <summary>After this many datagrams reach the server, it "restarts": a new protocol, all sessions lost.</summary>
    public long RestartServerAfter { get; set; } = -1;

    public ScriptedChannel ToServer { get; }

    public ScriptedChannel ToClient { get; }

    public TransferCounters Counters { get; } = new();

    /// <summary>When set, every datagram is passed through it just before the client sees it (a rewriting middlebox).</summary>
    public Func<byte[], byte[]>? RewriteToClient
    {
        get => _network.RewriteToClient;
        set => _network.RewriteToClient = value;
    }

    public SenderProtocol Run(byte[] file, string name = "file.bin", int datagramSize = 1472, SenderOptions? options = null, long limitMicros = 600_000_000)
    {
        var plan = new TransferPlan(0x1234_5678_9abc_def0, name, file.Length, datagramSize, options?.Key is null ? 0 : Udpx.Protocol.DatagramAuthenticator.TagSize);
        Store.ChunkSize = plan.ChunkSize;
        var sender = new SenderProtocol(plan, new MemoryChunkSource(file), options ?? new SenderOptions(), Counters);
        return Run(sender, datagramSize, limitMicros);
    }

    public SenderProtocol Run(SenderProtocol sender, int datagramSize, long limitMicros)
    {
        _link.Sender = sender;
        _network.RunUntilFinished(sender, 0, limitMicros, Clock.AdvanceTo);
        return sender;
    }

    /// <summary>Runs a sender <see cref="Run(SenderProtocol, int, long)"/> started on from the clock's time until it finishes or the clock reaches <paramref name="limitMicros"/>.</summary>
    public SenderProtocol Continue(SenderProtocol sender, long limitMicros)
    {
        _network.RunUntilFinished(sender, Clock.NowMicros, limitMicros, Clock.AdvanceTo);
        return sender;
    }

    public void Send(ReadOnlySpan<byte> datagram, SocketAddress to) => _network.Send(datagram, to);

    public static byte[] RandomFile(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private void Restart(NetworkLink link)
    {
        if (++_delivered == RestartServerAfter)
        {
            Server.Dispose();
            var restarted = new ServerProtocol(new ServerOptions(), Store);
            _network.ReplaceServer(Server, restarted);
            Server = restarted;
        }
    }
}
