using Udpx.Engine;

namespace Udpx.Tests.Engine;

/// <summary>
/// Start-up reads its queue against the handshake's round trip as well as the data's smallest one: a path
/// whose very first data already waits in a queue (the real GNS3 lab's switch, 4.5 ms in the first round
/// and 0.3 ms later, with a 1.5 ms handshake) must not look empty to it.
/// </summary>
public sealed class StartupBaseRttTests
{
    private const int Datagram = 1472;

    [Fact]
    public void A_first_round_that_waits_well_beyond_the_handshake_ends_start_up()
    {
        var path = new CongestionController(Datagram, 8192);
        path.OnHandshakeRtt(1_500);
        long now = 1_000_000;
        Rounds(path, ref now, rtt: 4_500, rounds: 2);
        Assert.False(path.InStartup);
        Assert.True(path.Window < 64, $"window {path.Window}");
    }

    [Fact]
    public void Full_datagrams_slower_than_the_handshake_by_their_serialisation_alone_leave_start_up_going()
    {
        var path = new CongestionController(Datagram, 8192);
        path.OnHandshakeRtt(1_500);
        long now = 1_000_000;
        // Four rounds from 16 to past 64: on a short path start-up grows to twice what the path delivered (its ceiling),
        // and these scripted rounds (a window sent, then acknowledged) deliver a window over more than a round trip:
        // 32, 51, 62, 99.
        Rounds(path, ref now, rtt: 2_700, rounds: 4);
        Assert.True(path.InStartup);
        Assert.True(path.Window > 64, $"window {path.Window}");
    }

    [Fact]
    public void Without_a_handshake_the_data_alone_sets_the_base()
    {
        var path = new CongestionController(Datagram, 8192);
        long now = 1_000_000;
        Rounds(path, ref now, rtt: 4_500, rounds: 3);
        Assert.True(path.InStartup);
    }

    /// <summary>A window's worth of datagrams per round, acknowledged eight at a time, every one after <paramref name="rtt"/>.</summary>
    private static void Rounds(CongestionController path, ref long now, long rtt, int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            // Paced out: the pacer lets a datagram go every few microseconds at these rates.
            int sent = PacedWindow.Send(path, ref now, Datagram, step: 5, maxTries: 100_000);
            long step = rtt / Math.Max(1, sent / 8);
            for (int acked = 0; acked < sent; acked += 8)
            {
                now += step;
                int batch = Math.Min(8, sent - acked);
                path.OnAcked(batch, batch, rtt, now);
            }
        }
    }
}
