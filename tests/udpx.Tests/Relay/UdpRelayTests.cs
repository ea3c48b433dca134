using System.Net;
using System.Net.Sockets;
using Udpx.Relay;

namespace Udpx.Tests.Relay;

/// <summary>The relay end to end over real sockets on 127.0.0.1, with an echo server behind it.</summary>
public sealed class UdpRelayTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly UdpEchoServer _server = new();
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _server.Dispose();
    }

    [Fact]
    public async Task Without_impairment_every_datagram_goes_both_ways_unchanged()
    {
        await using var relay = StartRelay(ImpairmentOptions.None, ImpairmentOptions.None);
        using var client = Client(relay);
        var sent = new List<byte[]>();
        var random = new Random(1);
        int[] sizes = [0, 1, 2, 7, 100, 1200, 1472, 9000, 65507];
        for (var i = 0; i < 300; i++)
        {
            var payload = new byte[i < sizes.Length ? sizes[i] : random.Next(1, 1500)];
            random.NextBytes(payload);
            sent.Add(payload);

            client.Send(payload);
            Assert.Equal(payload, Receive(client));
        }

        Assert.Equal(sent, _server.Received.Select(r => r.Payload));
        var statistics = await Settled(relay, s => s.ClientToServer.Forwarded == 300 && s.ServerToClient.Forwarded == 300);
        Assert.Equal(sent.Sum(p => (long)p.Length), statistics.ClientToServer.ForwardedBytes);
        Assert.Equal(0, statistics.ClientToServer.Dropped + statistics.ServerToClient.Dropped);
        Assert.Equal(1, statistics.Clients);
    }

    [Fact]
    public async Task Full_loss_forwards_nothing()
    {
        var lossy = new ImpairmentOptions { LossPercent = 100 };
        await using var relay = StartRelay(lossy, lossy);
        using var client = Client(relay);
        for (var i = 0; i < 50; i++)
        {
            client.Send([(byte)i, 1, 2, 3]);
        }

        var statistics = await Settled(relay, s => s.ClientToServer.Dropped == 50);
        Assert.Equal(50, statistics.ClientToServer.Received);
        Assert.Equal(0, statistics.ClientToServer.Forwarded);
        Assert.Equal(0, statistics.ServerToClient.Received);
        Assert.Empty(_server.Received);
        Assert.Equal(0, client.Available);
    }

    [Fact]
    public async Task Loss_can_apply_to_replies_only()
    {
        var (up, down) = RelayFlags.Directions(loss: "0/100");
        await using var relay = StartRelay(up, down);
        using var client = Client(relay);
        for (var i = 0; i < 50; i++)
        {
            client.Send([(byte)i]);
        }

        var statistics = await Settled(relay, s => s.ServerToClient.Dropped == 50 && s.ClientToServer.Forwarded == 50);
        Assert.Equal(50, _server.Received.Count);
        Assert.Equal(50, statistics.ServerToClient.Received);
        Assert.Equal(0, statistics.ServerToClient.Forwarded);
        Assert.Equal(0, client.Available);
    }

    [Fact]
    public async Task Several_clients_are_kept_apart()
    {
        await using var relay = StartRelay(ImpairmentOptions.None, ImpairmentOptions.None);
        var clients = Enumerable.Range(0, 4).Select(_ => Client(relay)).ToArray();
        for (var round = 0; round < 50; round++)
        {
            for (var id = 0; id < clients.Length; id++)
            {
                clients[id].Send([(byte)id, (byte)round]);
            }

            for (var id = 0; id < clients.Length; id++)
            {
                Assert.Equal([(byte)id, (byte)round], Receive(clients[id]));
            }
        }

        // The server sees one source port per client, and each client's datagrams come from its own.
        var sources = _server.Received.GroupBy(r => r.From).ToArray();
        Assert.Equal(4, sources.Length);
        foreach (var source in sources)
        {
            Assert.Single(source.Select(r => r.Payload[0]).Distinct());
        }

        Assert.Equal(4, relay.GetStatistics().Clients);
    }

    [Fact]
    public async Task Full_duplicate_sends_every_datagram_twice()
    {
        var (up, down) = RelayFlags.Directions(duplicate: "100/0");
        await using var relay = StartRelay(up, down);
        using var client = Client(relay);
        for (var i = 0; i < 20; i++)
        {
            client.Send([(byte)i, 42]);
            Assert.Equal([(byte)i, 42], Receive(client));
            Assert.Equal([(byte)i, 42], Receive(client));
        }

        Assert.Equal(40, _server.Received.Count);
        var statistics = await Settled(relay, s => s.ClientToServer.Forwarded == 40 && s.ServerToClient.Forwarded == 40);
        Assert.Equal(20, statistics.ClientToServer.Duplicated);
    }

    [Fact]
    public async Task Full_corruption_changes_bytes_but_not_lengths()
    {
        var (up, down) = RelayFlags.Directions(corrupt: "100/0");
        await using var relay = StartRelay(up, down);
        using var client = Client(relay);
        var sent = new List<byte[]>();
        for (var i = 0; i < 50; i++)
        {
            var payload = Enumerable.Repeat((byte)i, 1 + i).ToArray();
            sent.Add(payload);
            client.Send(payload);
            var reply = Receive(client);
            Assert.Equal(payload.Length, reply.Length);
            Assert.NotEqual(payload, reply);
        }

        Assert.Equal(sent.Select(p => p.Length), _server.Received.Select(r => r.Payload.Length));
        Assert.Equal(50, relay.GetStatistics().ClientToServer.Corrupted);
    }

    [Fact]
    public async Task Reorder_swaps_datagrams_yet_delivers_them_all()
    {
        var (up, down) = RelayFlags.Directions(reorder: "50/0");
        await using var relay = StartRelay(up, down, seed: 5);
        using var client = Client(relay);
        for (var i = 0; i < 100; i++)
        {
            client.Send([(byte)i]);
        }

        await WaitUntil(() => _server.Received.Count == 100 && relay.GetStatistics().ServerToClient.Forwarded == 100);
        var order = _server.Received.Select(r => (int)r.Payload[0]).ToArray();
        Assert.Equal(Enumerable.Range(0, 100), order.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), order);
        Assert.True(relay.GetStatistics().ClientToServer.Reordered > 0);
    }

    [Fact]
    public async Task Delay_jitter_rate_and_reorder_still_deliver_every_datagram()
    {
        var (up, down) = RelayFlags.Directions(delay: "3±3", reorder: "20", rate: "1M");
        await using var relay = StartRelay(up, down, seed: 11);
        using var client = Client(relay);
        for (var i = 0; i < 100; i++)
        {
            var payload = new byte[1000];
            payload[0] = (byte)i;
            client.Send(payload);
        }

        var replies = new List<byte>();
        for (var i = 0; i < 100; i++)
        {
            replies.Add(Receive(client)[0]);
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (byte)i), replies.Order());
        var statistics = await Settled(relay, s => s.ClientToServer.Forwarded == 100 && s.ServerToClient.Forwarded == 100);
        Assert.True(statistics.ClientToServer.Delayed > 0);
        Assert.True(statistics.ServerToClient.Reordered > 0);
    }

    [Fact]
    public async Task Same_seed_gives_the_same_losses()
    {
        var first = await LostIndexes(seed: 99);
        var second = await LostIndexes(seed: 99);
        Assert.Equal(first, second);
        Assert.NotEmpty(first);

        async Task<int[]> LostIndexes(int seed)
        {
            using var server = new UdpEchoServer();
            var (up, down) = RelayFlags.Directions(loss: "30/0");
            await using var relay = new UdpRelay(Options(server.EndPoint, up, down, seed));
            relay.Start();
            using var client = Client(relay);
            for (var i = 0; i < 100; i++)
            {
                client.Send([(byte)i]);
            }

            var statistics = await Settled(relay, s => s.ClientToServer.Forwarded + s.ClientToServer.Dropped == 100);
            await WaitUntil(() => server.Received.Count == statistics.ClientToServer.Forwarded);
            var arrived = server.Received.Select(r => (int)r.Payload[0]).ToHashSet();
            return Enumerable.Range(0, 100).Where(i => !arrived.Contains(i)).ToArray();
        }
    }

    [Fact]
    public async Task Idle_clients_lose_their_upstream_socket_and_get_a_new_one_when_back()
    {
        var clock = new ManualTimeProvider();
        await using var relay = new UdpRelay(
            Options(_server.EndPoint, ImpairmentOptions.None, ImpairmentOptions.None, 1) with { IdleTimeout = TimeSpan.FromSeconds(10) },
            clock);
        relay.Start();
        using var client = Client(relay);
        client.Send([1]);
        Assert.Equal([1], Receive(client));
        Assert.Equal(1, relay.GetStatistics().Clients);

        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(0, relay.GetStatistics().Clients);

        client.Send([2]);
        Assert.Equal([2], Receive(client));
        Assert.Equal(2, _server.Received.Select(r => r.From).Distinct().Count());
    }

    [Fact]
    public async Task Clients_past_the_limit_are_refused_and_counted()
    {
        await using var relay = new UdpRelay(Options(_server.EndPoint, ImpairmentOptions.None, ImpairmentOptions.None, 1) with { MaxClients = 1 });
        relay.Start();
        using var first = Client(relay);
        using var second = Client(relay);
        first.Send([1]);
        Assert.Equal([1], Receive(first));
        second.Send([2]);
        await WaitUntil(() => relay.GetStatistics().RejectedDatagrams == 1);
        Assert.Single(_server.Received);
    }

    [Fact]
    public async Task Ipv6_listen_address_works_too()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return;
        }

        var options = Options(_server.EndPoint, ImpairmentOptions.None, ImpairmentOptions.None, 1) with
        {
            Listen = new IPEndPoint(IPAddress.IPv6Loopback, 0),
        };
        await using var relay = new UdpRelay(options);
        try
        {
            relay.Start();
        }
        catch (SocketException)
        {
            return; // no IPv6 loopback in this sandbox
        }

        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        client.ReceiveTimeout = (int)Patience.TotalMilliseconds;
        client.Connect(relay.ListenEndPoint);
        client.Send([6, 6]);
        Assert.Equal([6, 6], Receive(client));
    }

    [Fact]
    public async Task Stop_is_quick_and_idempotent_and_the_port_is_reported()
    {
        var relay = StartRelay(new ImpairmentOptions { Delay = TimeSpan.FromSeconds(30) }, ImpairmentOptions.None);
        Assert.NotEqual(0, relay.ListenEndPoint.Port);
        using var client = Client(relay);
        client.Send([1]);
        await WaitUntil(() => relay.GetStatistics().Queued == 1);

        await relay.StopAsync().WaitAsync(Patience);
        await relay.StopAsync().WaitAsync(Patience);
        relay.Dispose();
        Assert.Empty(_server.Received);
    }

    private static RelayOptions Options(IPEndPoint server, ImpairmentOptions up, ImpairmentOptions down, int seed) => new()
    {
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        Server = server,
        ClientToServer = up,
        ServerToClient = down,
        Seed = seed,
    };

    private static byte[] Receive(Socket client)
    {
        var buffer = new byte[65536];
        var length = client.Receive(buffer);
        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>Counters move just after the datagram they count: wait for them before asserting.</summary>
    private static async Task<RelayStatistics> Settled(UdpRelay relay, Func<RelayStatistics, bool> condition)
    {
        await WaitUntil(() => condition(relay.GetStatistics()));
        return relay.GetStatistics();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the relay");
            await Task.Delay(5);
        }
    }

    private UdpRelay StartRelay(ImpairmentOptions up, ImpairmentOptions down, int seed = 1)
    {
        var relay = new UdpRelay(Options(_server.EndPoint, up, down, seed));
        relay.Start();
        return relay;
    }

    private Socket Client(UdpRelay relay)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
        {
            ReceiveTimeout = (int)Patience.TotalMilliseconds,
            ReceiveBufferSize = 4 << 20,
        };
        client.Connect(relay.ListenEndPoint);
        _disposables.Add(client);
        return client;
    }
}
