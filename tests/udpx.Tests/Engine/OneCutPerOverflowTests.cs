using Udpx.Engine;

namespace Udpx.Tests.Engine;

/// <summary>
/// A cut for loss answers the overflow that drew it once, as TCP's recovery does: the losses of datagrams sent
/// before the cut are found in the round or two after it, and they are that overflow's, not a new one.
/// Taken for new ones, a single overflow of a shallow buffer on a long path cut the window three rounds running.
/// </summary>
public sealed class OneCutPerOverflowTests
{
    private const int Datagram = 1472;
    private const long Rtt = 10_000;
    private const long Queued = 3_000;

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public void Losses_of_datagrams_sent_before_a_cut_do_not_cut_again(bool sentBeforeTheCut, long cuts)
    {
        var path = new CongestionController(Datagram, 4096);
        long now = 1_000_000;
        for (int round = 0; round < 12; round++)
        {
            Round(path, ref now, Rtt, lost: 0, beforeCut: 0);
        }
        long before = path.CongestionEvents;
        long overflowSentAt = now;

        // The overflow: a round that queues and loses a tenth of its window.
        int window = path.Window;
        Round(path, ref now, Rtt + Queued, lost: window / 10, beforeCut: 0);
        Assert.Equal(before + 1, path.CongestionEvents);
        Assert.True(path.LastDecreaseAt > overflowSentAt);

        // The next round finds as many more, still with the queue the overflow left.
        int found = path.Window / 10;
        Round(path, ref now, Rtt + Queued, lost: found, beforeCut: sentBeforeTheCut ? found : 0);

        Assert.Equal(before + cuts, path.CongestionEvents);
    }

    /// <summary>A window's round: what the pacer lets go, acknowledged <paramref name="rtt"/> later but for <paramref name="lost"/>.</summary>
    private static void Round(CongestionController path, ref long now, long rtt, int lost, int beforeCut)
    {
        int sent = PacedWindow.Send(path, ref now, Datagram);
        now += rtt;
        path.OnLost(lost, beforeCut, now);
        path.OnAcked(sent - lost, sent - lost, rtt, now);
    }
}
