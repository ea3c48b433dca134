using Udpx.Engine;
using Udpx.InMemory;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.InMemory;

/// <summary>The one in-memory network (tests, benchmarks, UI preview), under a virtual clock.</summary>
public sealed class InMemoryNetworkTests
{
    [Fact]
    public void Two_senders_to_two_servers_each_deliver_their_file_intact()
    {
        var stores = new[] { new MemoryFileStore(), new MemoryFileStore() };
        var servers = stores.Select(s => new ServerProtocol(new ServerOptions(), s)).ToArray();
        var network = new InMemoryNetwork(new DirectPath(500), new DirectPath(500));
        var files = new[] { Simulation.RandomFile(300_000, 1), Simulation.RandomFile(70_000, 2) };
        var senders = new SenderProtocol[2];
        for (int i = 0; i < 2; i++)
        {
            var plan = new TransferPlan((ulong)(i + 1), "f" + i, files[i].Length, 1472);
            stores[i].ChunkSize = plan.ChunkSize;
            senders[i] = new SenderProtocol(plan, new MemoryChunkSource(files[i]), new SenderOptions(), new TransferCounters());
            network.Connect(new NetworkLink(senders[i], servers[i], InMemoryNetwork.ClientAddress(40000 + i)));
        }

        long now = 0;
        while (!senders.All(s => s.IsFinished) && now < 60_000_000)
        {
            network.Step(now);
            now = network.NextEvent(now);
        }

        Assert.All(senders, s => Assert.True(s.Outcome.Verified, s.Outcome.Message));
        Assert.Equal(files[0], stores[0].Committed["f0"]);
        Assert.Equal(files[1], stores[1].Committed["f1"]);
        Assert.True(network.Datagrams >= (300_000 + 70_000) / 1472);
    }

    [Fact]
    public void What_is_on_its_way_to_a_disconnected_link_is_dropped()
    {
        var store = new MemoryFileStore();
        var server = new ServerProtocol(new ServerOptions(), store);
        var network = new InMemoryNetwork(new DirectPath(1_000), new DirectPath(1_000));
        var file = Simulation.RandomFile(10_000, 3);
        var sender = new SenderProtocol(new TransferPlan(9, "gone", file.Length, 1472), new MemoryChunkSource(file), new SenderOptions(), new TransferCounters());
        var link = network.Connect(new NetworkLink(sender, server, InMemoryNetwork.ClientAddress(40000)));

        network.Step(0);
        network.Disconnect(link);
        network.Step(10_000);

        Assert.Empty(server.Sessions);
        Assert.Equal(0, server.Stats.Datagrams);
    }
}
