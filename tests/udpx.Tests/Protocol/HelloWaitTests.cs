using Udpx.Engine;
using Udpx.Protocol;
using Udpx.Tests.Support;

namespace Udpx.Tests.Protocol;

/// <summary>
/// How long an unanswered Hello waits before it goes again. A path nothing was measured on waits 200 ms; one
/// this process knows the round trip of (its controller, shared with the transfers to that server, or the round
/// trip a worker process is handed) waits what an Offer does, three round trips and at least 2 ms. Each repeat
/// waits twice as long as the one before, up to 1 s.
/// </summary>
public sealed class HelloWaitTests
{
    private const ulong Session = 0x4e110;
    private readonly byte[] _buffer = new byte[Wire.EthernetDatagramSize];
    private readonly byte[] _reply = new byte[Wire.EthernetDatagramSize];

    [Fact]
    public void On_a_path_nothing_was_measured_on_an_unanswered_hello_goes_again_after_200_ms()
    {
        var sender = Sender(new SenderOptions());

        Assert.Equal([0, 200_000, 600_000, 1_400_000, 2_400_000], HelloTimes(sender, until: 2_500_000));
    }

    [Theory]
    [InlineData(300, 2_000)] // a host's round trip: the 2 ms floor
    [InlineData(1_000, 3_000)]
    [InlineData(30_000, 90_000)]
    [InlineData(120_000, 200_000)] // never longer than on a path nothing was measured on
    public void On_a_path_an_earlier_transfer_measured_it_waits_three_round_trips(long rtt, long wait)
    {
        var path = new CongestionController(Wire.EthernetDatagramSize, 1024);
        var earlier = Sender(new SenderOptions { Path = path });
        Assert.True(earlier.TryWriteNext(_buffer, 0) > 0);
        earlier.OnDatagram(_reply.AsSpan(0, MessageCodec.WriteCookie(_reply, new CookieMessage(Session, 0, 1, 2))), rtt);
        Assert.Equal(rtt, path.SmoothedRttMicros);

        var next = Sender(new SenderOptions { Path = path });

        Assert.Equal([0, wait, 3 * wait], HelloTimes(next, until: (3 * wait) + 1));
    }

    [Fact]
    public void A_worker_handed_its_parents_round_trip_waits_three_of_them()
    {
        var sender = Sender(new SenderOptions { PathRttMicros = 50_000 });

        Assert.Equal([0, 150_000, 450_000], HelloTimes(sender, until: 450_001));
    }

    [Fact]
    public void The_path_controllers_own_round_trip_wins_over_the_one_handed_down()
    {
        var path = new CongestionController(Wire.EthernetDatagramSize, 1024);
        path.OnHandshakeRtt(2_000);
        var sender = Sender(new SenderOptions { Path = path, PathRttMicros = 50_000 });

        Assert.Equal([0, 6_000], HelloTimes(sender, until: 6_001));
    }

    /// <summary>
    /// The Offer waits three of the Cookie's round trips, at least 2 ms: the server answers it as soon as the
    /// file is made, without the acknowledgement hold that keeps the data's timeout at 10 ms or more.
    /// </summary>
    [Theory]
    [InlineData(1_000, 3_000)]
    [InlineData(200, 2_000)]
    [InlineData(40_000, 120_000)]
    public void An_unanswered_offer_goes_again_after_three_of_the_cookies_round_trips(long rtt, long wait)
    {
        var sender = Sender(new SenderOptions());
        Assert.True(sender.TryWriteNext(_buffer, 0) > 0);
        sender.OnDatagram(_reply.AsSpan(0, MessageCodec.WriteCookie(_reply, new CookieMessage(Session, 0, 1, 2))), rtt);

        var offers = new List<long>();
        for (long now = rtt; now <= rtt + (3 * wait); now += 100)
        {
            if (sender.TryWriteNext(_buffer, now) > 0)
            {
                Assert.Equal((byte)MessageType.Offer, _buffer[2]);
                offers.Add(now);
            }
        }

        Assert.Equal([rtt, rtt + wait, rtt + (3 * wait)], offers);
    }

    private static SenderProtocol Sender(SenderOptions options)
    {
        byte[] file = Simulation.RandomFile(10_000, 5);
        var plan = new TransferPlan(Session, "f.bin", file.Length, Wire.EthernetDatagramSize);
        return new SenderProtocol(plan, new MemoryChunkSource(file), options with { ConnectTimeout = TimeSpan.FromSeconds(30) }, new TransferCounters());
    }

    /// <summary>When the sender put out a Hello, asked every millisecond and never answered.</summary>
    private List<long> HelloTimes(SenderProtocol sender, long until)
    {
        var times = new List<long>();
        for (long now = 0; now < until; now += 1_000)
        {
            int length = sender.TryWriteNext(_buffer, now);
            if (length > 0)
            {
                Assert.Equal((byte)MessageType.Hello, _buffer[2]);
                times.Add(now);
            }
        }
        return times;
    }
}
