using Udpx.Engine;

namespace Udpx.Tests.Engine;

public sealed class PrematureLossCheckTests
{
    [Fact]
    public void A_chunk_judged_lost_by_order_credited_before_its_retransmission_could_arrive_was_judged_too_early()
    {
        var check = new PrematureLossCheck(64, 16);
        check.OnSent(5, packet: 10, retransmission: false);
        check.OnLostByOrder(5, sentAt: 1_000, now: 15_000);
        check.OnSent(5, packet: 40, retransmission: true);

        Assert.True(check.IsPrematureCredit(5, largestReceived: 39));
        Assert.False(check.IsPrematureCredit(5, largestReceived: 39)); // one verdict, one proof
    }

    [Fact]
    public void A_credit_that_the_retransmission_may_have_brought_proves_nothing()
    {
        var check = new PrematureLossCheck(64, 16);
        check.OnSent(5, 10, retransmission: false);
        check.OnLostByOrder(5, 1_000, 15_000);
        check.OnSent(5, 40, retransmission: true);

        Assert.False(check.IsPrematureCredit(5, largestReceived: 40));
    }

    [Fact]
    public void Credited_while_still_waiting_to_be_resent_is_premature()
    {
        var check = new PrematureLossCheck(64, 16);
        check.OnSent(7, 12, retransmission: false);
        check.OnLostByOrder(7, 1_000, 15_000);

        Assert.True(check.IsPrematureCredit(7, largestReceived: 30));
    }

    [Fact]
    public void Chunks_never_judged_lost_or_judged_by_timeout_prove_nothing()
    {
        var check = new PrematureLossCheck(64, 16);
        check.OnSent(3, 9, retransmission: false);
        Assert.False(check.IsPrematureCredit(3, 9));

        check.OnSent(4, 10, retransmission: false);
        check.OnLostByOrder(4, 1_000, 15_000);
        check.OnLostByTimeout(4);
        check.OnSent(4, 50, retransmission: true);
        Assert.False(check.IsPrematureCredit(4, 20));
    }

    [Fact]
    public void A_new_chunk_in_a_reused_slot_does_not_inherit_the_old_verdict()
    {
        var check = new PrematureLossCheck(64, 16);
        check.OnSent(1, 3, retransmission: false);
        check.OnLostByOrder(1, 1_000, 15_000);
        check.OnSent(65, 200, retransmission: false); // chunk 65 takes slot 1

        Assert.False(check.IsPrematureCredit(65, 150));
    }

    [Fact]
    public void A_duplicate_echoing_a_transmission_judged_lost_is_its_late_original_once_a_retransmission_could_have_arrived()
    {
        var check = new PrematureLossCheck(64, 16);
        check.OnLostByOrder(9, sentAt: 100_000, now: 125_000);

        // The Ack answering the duplicate comes back at least a base RTT (20 ms) after the verdict.
        Assert.True(check.IsLateOriginal(echo: 100_000, now: 146_000, minRtt: 20_000));
        // A network duplicate of a datagram sent in the same microsecond comes back about an RTT after it was sent, before the verdict.
        Assert.False(check.IsLateOriginal(echo: 100_000, now: 121_000, minRtt: 20_000));
        // Nor is the duplicate of any other datagram a late original.
        Assert.False(check.IsLateOriginal(echo: 100_001, now: 146_000, minRtt: 20_000));
    }

    [Fact]
    public void Only_the_latest_verdicts_are_remembered()
    {
        var check = new PrematureLossCheck(64, 4);
        for (int i = 0; i < 5; i++)
        {
            check.OnLostByOrder((ulong)i, sentAt: 1_000 + i, now: 10_000);
        }

        Assert.False(check.IsLateOriginal(1_000, 100_000, 1_000)); // the oldest, overwritten
        Assert.True(check.IsLateOriginal(1_004, 100_000, 1_000));
        check.Clear();
        Assert.False(check.IsLateOriginal(1_004, 100_000, 1_000));
    }
}
