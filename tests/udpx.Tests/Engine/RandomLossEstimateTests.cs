using Udpx.Engine;

namespace Udpx.Tests.Engine;

/// <summary>
/// The path's random loss is learnt only in quiet rounds. On a host's path the base RTT is its best moment, a
/// tenth of its usual one here: read over it, a window that only fills the path is overdriven, and nearly no
/// round is quiet. So until the estimate rests on 2,000 samples, the window's bound is read over the smoothed
/// RTT and a window-limited round is quiet; once it does, over the base RTT, and nothing more is learnt here.
/// A round is read against the estimate with the estimate's own error, so that one learnt low does not pass
/// the path's loss for congestion round after round, while one learnt well still reads a higher loss as
/// congestion.
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
        var learntWell = RunRounds(LearnQuietly(0.10, samples: 20_000), 0.10, seed);
        var oneRound = RunRounds(LearnQuietly(learnt, samples: 1), 0.10, seed);

        Assert.True(oneRound.Delivered >= share * learntWell.Delivered, $"{oneRound.Delivered} delivered, {oneRound.Cuts} cuts; learnt well: {learntWell.Delivered}, {learntWell.Cuts} cuts");
    }

    /// <summary>
    /// An estimate learnt from one round, too low or too high, is corrected by the window-limited rounds that
    /// follow until it rests on 2,000 samples. Read over the base RTT alone, every one of them was overdriven and
    /// the first round's figure stood for the whole transfer.
    /// </summary>
    [Theory]
    [InlineData(1, 0.07)]
    [InlineData(2, 0.08)]
    [InlineData(3, 0.13)]
    public void An_estimate_learnt_from_one_round_is_corrected_by_the_rounds_after_it(int seed, double learnt)
    {
        var start = LearnQuietly(learnt, samples: 1);
        RunRounds(start, 0.10, seed);

        Assert.InRange(start.Path.RandomLoss, 0.085, 0.115);
    }

    /// <summary>
    /// A transfer that starts with a window of 128 on a host's path losing 10%, no queue: it learns the rate in
    /// its first rounds instead of cutting for every loss until a round comes that reads as quiet.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_window_that_fills_a_host_path_learns_its_random_loss_at_once(int seed)
    {
        var path = new CongestionController(Datagram, 1024);
        path.StartFrom(128);
        long now = 1_000_000;
        path.OnAcked(0, 0, BestMoment, now);
        var (_, cuts) = RunRounds((path, now), 0.10, seed, rounds: 200);

        Assert.InRange(path.RandomLoss, 0.085, 0.115);
        Assert.True(cuts <= 3, $"{cuts} cuts");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void An_estimate_learnt_well_reads_twice_its_loss_as_congestion(int seed)
    {
        var itsLoss = RunRounds(LearnQuietly(0.10, samples: 20_000), 0.10, seed);
        var twice = RunRounds(LearnQuietly(0.10, samples: 20_000), 0.20, seed);

        Assert.True(twice.Cuts >= 4 * itsLoss.Cuts, $"{twice.Cuts} cuts at 20%, {itsLoss.Cuts} at 10%");
    }

    /// <summary>
    /// Quiet rounds at the usual RTT, each losing <paramref name="learnt"/> of what it sent, until the estimate
    /// has at least <paramref name="samples"/>; then one acknowledgement at the host's best moment, after which
    /// every round reads as overdriven over the base RTT: nothing more is learnt once 2,000 samples are.
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

    /// <summary><paramref name="rounds"/> window-limited rounds at the usual RTT, each datagram lost with probability <paramref name="loss"/>: what was delivered, and the cuts.</summary>
    private static (long Delivered, long Cuts) RunRounds((CongestionController Path, long Now) start, double loss, int seed, int rounds = Rounds)
    {
        var (path, now) = start;
        var random = new Random(seed);
        long before = path.CongestionEvents;
        long delivered = 0;
        for (int round = 0; round < rounds; round++)
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
