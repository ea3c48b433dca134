using Udpx.Engine;

namespace Udpx.Tests.Engine;

/// <summary>
/// The path's random loss is learnt only in quiet rounds, and on a host's path nearly every round is overdriven
/// (its base RTT is its best moment, a tenth of its usual one): the estimate comes from the first round or two
/// (on the lab's 10%-loss path, 1 to 13 quiet rounds a transfer, estimates from 9 to 24%). A round is read
/// against that estimate with the estimate's own error, so that one learnt low does not pass the path's loss
/// for congestion round after round, while one learnt well still reads a higher loss as congestion.
/// </summary>
public sealed class RandomLossEstimateTests
{
    private const int Datagram = 1472;
    private const long UsualRtt = 400;
    private const long BestMoment = 40;
    private const int Rounds = 2_000;

    /// <summary>
    /// An estimate learnt from the first quiet round (30-60 samples here) at 7 or 8% on a path that loses 10%:
    /// read as exact, it cut the window 29-37 times in 2,000 rounds and delivered 0.23-0.38 of what a sender
    /// that learnt the rate well delivered; read with its error, 13-24 cuts and 0.58-0.99.
    /// </summary>
    [Theory]
    [InlineData(1, 0.08, 0.8)]
    [InlineData(2, 0.08, 0.8)]
    [InlineData(3, 0.08, 0.8)]
    [InlineData(1, 0.07, 0.5)]
    [InlineData(2, 0.07, 0.5)]
    public void An_estimate_learnt_low_from_one_round_does_not_hold_the_window_down(int seed, double learnt, double share)
    {
        var learntWell = Overdriven(LearnQuietly(0.10, samples: 20_000), 0.10, seed);
        var oneRound = Overdriven(LearnQuietly(learnt, samples: 1), 0.10, seed);

        Assert.True(oneRound.Delivered >= share * learntWell.Delivered, $"{oneRound.Delivered} delivered, {oneRound.Cuts} cuts; learnt well: {learntWell.Delivered}, {learntWell.Cuts} cuts");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void An_estimate_learnt_from_one_round_still_reads_twice_its_loss_as_congestion(int seed)
    {
        var itsLoss = Overdriven(LearnQuietly(0.10, samples: 1), 0.10, seed);
        var twice = Overdriven(LearnQuietly(0.10, samples: 1), 0.20, seed);

        Assert.True(twice.Delivered <= 0.3 * itsLoss.Delivered, $"{twice.Delivered} delivered at 20% ({twice.Cuts} cuts), {itsLoss.Delivered} at 10% ({itsLoss.Cuts} cuts)");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void An_estimate_learnt_well_reads_twice_its_loss_as_congestion(int seed)
    {
        var itsLoss = Overdriven(LearnQuietly(0.10, samples: 20_000), 0.10, seed);
        var twice = Overdriven(LearnQuietly(0.10, samples: 20_000), 0.20, seed);

        Assert.True(twice.Cuts >= 4 * itsLoss.Cuts, $"{twice.Cuts} cuts at 20%, {itsLoss.Cuts} at 10%");
    }

    /// <summary>
    /// Quiet rounds at the usual RTT, each losing <paramref name="learnt"/> of what it sent, until the estimate
    /// has at least <paramref name="samples"/>; then one acknowledgement at the host's best moment, after which
    /// every round reads as overdriven and nothing more is learnt.
    /// </summary>
    private static (CongestionController Path, long Now) LearnQuietly(double learnt, int samples)
    {
        var path = new CongestionController(Datagram, 1024);
        long now = 1_000_000;
        long sent = 0;
        while (path.RandomLoss == 0 || sent < samples)
        {
            sent += Round(path, ref now, count => (int)Math.Round(count * learnt));
        }
        Assert.Equal(learnt, path.RandomLoss, 0.005);
        now += BestMoment;
        path.OnAcked(0, 0, BestMoment, now);
        return (path, now);
    }

    /// <summary><see cref="Rounds"/> rounds at the usual RTT, each datagram lost with probability <paramref name="loss"/>: what was delivered, and the cuts.</summary>
    private static (long Delivered, long Cuts) Overdriven((CongestionController Path, long Now) start, double loss, int seed)
    {
        var (path, now) = start;
        var random = new Random(seed);
        long before = path.CongestionEvents;
        long delivered = 0;
        for (int round = 0; round < Rounds; round++)
        {
            delivered += Round(path, ref now, count =>
            {
                int lost = 0;
                for (int i = 0; i < count; i++)
                {
                    lost += random.NextDouble() < loss ? 1 : 0;
                }
                return lost;
            });
        }
        return (delivered, path.CongestionEvents - before);
    }

    /// <summary>What the window and the pacer let go, acknowledged <see cref="UsualRtt"/> after it left but for what <paramref name="lose"/> says: the datagrams delivered.</summary>
    private static int Round(CongestionController path, ref long now, Func<int, int> lose)
    {
        int sent = PacedWindow.Send(path, ref now, Datagram);
        now += UsualRtt;
        int lost = lose(sent);
        path.OnLost(lost, now);
        path.OnAcked(sent - lost, sent - lost, UsualRtt, now);
        return sent - lost;
    }
}
