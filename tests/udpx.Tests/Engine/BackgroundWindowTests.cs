using Udpx.Engine;

namespace Udpx.Tests.Engine;

/// <summary>
/// The scavenger's window goes below one datagram: beside a flow that keeps a queue in a buffer of a few
/// datagrams, even two in flight would be a third of the link. Below one it is a pacing rate, one datagram
/// every so many round trips, and it grows back once the queue has gone.
/// </summary>
public sealed class BackgroundWindowTests
{
    private const int Datagram = 1472;
    private const long BaseRtt = 1_000;

    [Fact]
    public void A_queue_that_stays_above_target_paces_it_below_a_datagram_per_round_trip()
    {
        var path = new CongestionController(Datagram, 8192, CongestionMode.Background);
        long now = 1_000_000;
        Rounds(path, ref now, BaseRtt, rounds: 20);
        long queued = BaseRtt + 30_000;
        Rounds(path, ref now, queued, rounds: 40);

        double perRoundTrip = path.PacingBytesPerSecond * queued / 1e6 / Datagram;
        Assert.Equal(1, path.Window);
        Assert.True(perRoundTrip < 0.5, $"{perRoundTrip:F3} datagrams per round trip");
    }

    [Fact]
    public void Once_the_queue_has_gone_it_grows_back_past_a_datagram_per_round_trip()
    {
        var path = new CongestionController(Datagram, 8192, CongestionMode.Background);
        long now = 1_000_000;
        Rounds(path, ref now, BaseRtt, rounds: 20);
        Rounds(path, ref now, BaseRtt + 30_000, rounds: 40);
        Rounds(path, ref now, BaseRtt, rounds: 40);

        Assert.True(path.Window >= 4, $"window {path.Window}");
    }

    [Fact]
    public void A_normal_window_never_goes_below_two()
    {
        var path = new CongestionController(Datagram, 8192);
        long now = 1_000_000;
        Rounds(path, ref now, BaseRtt, rounds: 20);
        Rounds(path, ref now, BaseRtt + 30_000, rounds: 40);

        Assert.True(path.Window >= CongestionController.MinWindow, $"window {path.Window}");
    }

    /// <summary>What the window and the pacer let go, each datagram acknowledged <paramref name="rtt"/> after it left.</summary>
    private static void Rounds(CongestionController path, ref long now, long rtt, int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            int sent = PacedWindow.Send(path, ref now, Datagram);
            now += rtt;
            path.OnAcked(sent, sent, rtt, now);
        }
    }
}
