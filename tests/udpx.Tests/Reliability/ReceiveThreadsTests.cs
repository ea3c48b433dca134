using System.Net;
using Udpx.Engine;
using Udpx.Modes;
using Udpx.Protocol;
using Udpx.Server;
using Udpx.Tests.Support;

namespace Udpx.Tests.Reliability;

/// <summary>
/// A server on several receive threads (SO_REUSEPORT sockets on one port, real sockets on loopback): the kernel
/// spreads clients over the threads, each session stays on its thread and completes, and the limits
/// (--max-sessions, --max-sessions-per-host, --max-reserved-per-host) hold for all threads together.
/// </summary>
public sealed class ReceiveThreadsTests : IDisposable
{
    private const int Threads = 4;

    // Clients on distinct ports: the chance that all of them hash to one of 4 sockets is 4^-(Clients-1).
    private const int Clients = 12;

    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Concurrent_transfers_spread_over_the_receive_threads_and_all_complete()
    {
        using var host = Start(new ServerOptions { ReceiveThreads = Threads, MaxSessionsPerHost = int.MaxValue });
        Assert.Equal(Threads, host.Servers.Count);
        Assert.All(host.Servers, s => Assert.Equal(host.EndPoint.Port, s.LocalEndPoint.Port));
        var jobs = new List<TransferJob>();
        var sources = new Dictionary<string, byte[]>();
        for (int i = 0; i < 16; i++)
        {
            string name = "file" + i + ".bin";
            sources[name] = Simulation.RandomFile(150_000 + (i * 7919), 40 + i);
            jobs.Add(new TransferJob(i + 1, _folder.Write(name, sources[name]), name, host.EndPoint.ToString(), new TransferSettings()));
        }
        var handles = Integration.LoopbackServers.Handles(jobs);

        await DispatcherFactory.Create(ConcurrencyMode.Thread, workers: 16, TimeSpan.FromMinutes(2)).RunAsync(handles, CancellationToken.None);

        Assert.All(handles, h => Assert.True(h.Result is { Verified: true }, h.Job.Name + ": " + h.Result?.Error));
        foreach (var (name, bytes) in sources)
        {
            Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(host.Store.Directory, name)));
        }
        var completedPerThread = host.Shards.Protocols.Select(p => p.Stats.Completed).ToArray();
        Assert.Equal(16, completedPerThread.Sum());
        Assert.Equal(16, host.Shards.Stats.Completed);
        Assert.True(completedPerThread.Count(c => c > 0) >= 2, "every session landed on one thread: " + string.Join(",", completedPerThread));
        // A session's datagrams all reached its own thread: no thread saw a datagram for a session it does not hold.
        Assert.All(host.Shards.Protocols, p => Assert.Equal(0, p.Stats.UnknownSession));
        Assert.All(host.Shards.Protocols, p => Assert.Equal(0, p.Stats.InternalErrors));
        Assert.Equal(0, host.Protocol.ActiveSessions);
    }

    [Fact]
    public void A_second_server_cannot_join_the_port_of_one_on_several_threads()
    {
        using var first = Start(new ServerOptions { ReceiveThreads = 2 });
        var again = new IPEndPoint(IPAddress.Loopback, first.EndPoint.Port);

        var ex = Assert.Throws<System.Net.Sockets.SocketException>(() =>
            ServerHost.Start(again, _folder.File("second"), new ServerOptions { ReceiveThreads = 2 }).Dispose());
        Assert.Equal(System.Net.Sockets.SocketError.AddressAlreadyInUse, ex.SocketErrorCode);
        Assert.Equal(2, first.Servers.Count);
    }

    [Fact]
    public void Max_sessions_holds_across_the_receive_threads()
    {
        using var host = Start(new ServerOptions { ReceiveThreads = Threads, MaxSessions = 3, MaxSessionsPerHost = int.MaxValue });

        var (accepted, busy) = OfferFromManyClients(host, fileSize: 1000);

        Assert.Equal(3, accepted);
        Assert.Equal(Clients - 3, busy);
        Assert.Equal(3, host.Protocol.ActiveSessions);
        AssertSeveralThreadsAnswered(host);
    }

    [Fact]
    public void Sessions_per_host_hold_across_the_receive_threads()
    {
        using var host = Start(new ServerOptions { ReceiveThreads = Threads, MaxSessionsPerHost = 2 });

        var (accepted, busy) = OfferFromManyClients(host, fileSize: 1000);

        Assert.Equal(2, accepted);
        Assert.Equal(Clients - 2, busy);
        AssertSeveralThreadsAnswered(host);
    }

    [Fact]
    public void Bytes_reserved_per_host_hold_across_the_receive_threads()
    {
        using var host = Start(new ServerOptions { ReceiveThreads = Threads, MaxSessionsPerHost = int.MaxValue, MaxReservedPerHost = 2500 });

        var (accepted, busy) = OfferFromManyClients(host, fileSize: 1000);

        Assert.Equal(2, accepted);
        Assert.Equal(Clients - 2, busy);
        AssertSeveralThreadsAnswered(host);
    }

    [Fact]
    public void The_budget_never_admits_more_than_its_limit_under_concurrent_offers_and_ends()
    {
        var budget = new SessionBudget(new ServerOptions { MaxSessions = 5, MaxSessionsPerHost = int.MaxValue, MinFree = DiskReserve.None });
        int held = 0;
        int worst = 0;
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                if (budget.TryAdmit((UInt128)(t + 1), 10, null, out _) == Admission.Admitted)
                {
                    int now = Interlocked.Increment(ref held);
                    int seen;
                    while (now > (seen = Volatile.Read(ref worst)) && Interlocked.CompareExchange(ref worst, now, seen) != seen)
                    {
                    }
                    Interlocked.Decrement(ref held);
                    budget.Release((UInt128)(t + 1), 10, stillPreparing: true);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.InRange(worst, 1, 5);
        Assert.Equal(0, budget.Active);
        // Everything given back: a full set of sessions fits again, one more does not.
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(Admission.Admitted, budget.TryAdmit(9, 10, null, out _));
        }
        Assert.Equal(Admission.ServerBusy, budget.TryAdmit(9, 10, null, out int count));
        Assert.Equal(5, count);
    }

    private ServerHost Start(ServerOptions options) =>
        ServerHost.Start(new IPEndPoint(IPAddress.Loopback, 0), _folder.File("out"), options);

    /// <summary>One offer from each of <see cref="Clients"/> sockets (distinct ports), the sessions left open.</summary>
    private static (int Accepted, int Busy) OfferFromManyClients(ServerHost host, ulong fileSize)
    {
        var clients = Enumerable.Range(0, Clients).Select(_ => new RawClient(host.EndPoint)).ToList();
        try
        {
            int accepted = 0;
            int busy = 0;
            for (int i = 0; i < clients.Count; i++)
            {
                byte[] reply = clients[i].Offer(0x5000 + (ulong)i, fileSize, System.Text.Encoding.UTF8.GetBytes("held" + i + ".bin"));
                if (MessageCodec.TryReadAccept(reply, out _))
                {
                    accepted++;
                }
                else if (MessageCodec.TryReadReject(reply, out var reject) && reject.Reason == RejectReason.ServerBusy)
                {
                    busy++;
                }
            }
            return (accepted, busy);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>The limit was tested across threads only if the clients reached more than one of them.</summary>
    private static void AssertSeveralThreadsAnswered(ServerHost host)
    {
        var datagrams = host.Shards.Protocols.Select(p => p.Stats.Datagrams).ToArray();
        Assert.True(datagrams.Count(d => d > 0) >= 2, "every client landed on one thread: " + string.Join(",", datagrams));
    }

    public void Dispose() => _folder.Dispose();
}
