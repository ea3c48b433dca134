namespace Udpx.Engine;

/// <summary>
/// Whose queue it is: a queue that grows while udpx holds still, or outlives its cuts, is another flow's, and udpx
/// competes by loss from a fair share of the path; the five-second drain asks whether that flow is still there.
/// </summary>
internal sealed partial class CongestionController
{
    private void ScheduleDrain(long now, long queue)
    {
        if (_nextDrainAt < 0)
        {
            // Spread over flows, so that two udpx senders do not drain together and each sees the other's queue go.
            _nextDrainAt = now + DrainEveryMicros + (now % 1_000_000);
        }
        else if (now >= _nextDrainAt && !InStartup)
        {
            long baseRtt = _minRtt == long.MaxValue ? _srtt : _minRtt;
            _drainUntil = now + baseRtt + queue + 1_000;
            _nextDrainAt = now + DrainEveryMicros + (now % 1_000_000);
            // Competing, the drain asks whether the other flow is still there: two datagrams in flight until
            // what we had queued has gone. A queue that goes with them was ours.
            _checkingCompetitor = Competing;
            _queueBeforeCheck = queue;
            // Until a round trip after the drain, as the RTT stood before it: the drained samples pull the
            // smoothed RTT down, and a deadline read from it then would end the check just as it shows.
            _checkUntil = _drainUntil + Math.Max(_srtt, baseRtt + queue);
        }
    }

    /// <summary>
    /// A competitor check's verdict, at each round end from its start until a round trip after it: a round that
    /// reads (nearly) no queue while we held two datagrams in flight means the flow we competed with has gone
    /// and the queue was our own, kept full by loss-based competing (alone after CUBIC left, a 100 ms buffer
    /// stayed full for good). Delay-based again, the window drops to what fills the path without that queue.
    /// Two checks in a row must say so: a newcomer beside CUBIC took CUBIC's standing queue for part of its base
    /// RTT, and one check in CUBIC's trough passed (100 Mbit/s, 50 ms, CUBIC first: 39.0 → 31.6% of the link).
    /// </summary>
    private void CheckCompetitor(long queue, long target, long now)
    {
        if (!_checkingCompetitor)
        {
            return;
        }
        if (!Competing)
        {
            _checkingCompetitor = false;
            return;
        }
        if (queue > target / 2)
        {
            if (now > _checkUntil)
            {
                // The queue stayed: someone else's. The next check starts the count again.
                _checkingCompetitor = false;
                _checksInARow = 0;
            }
            return;
        }
        _checkingCompetitor = false;
        if (++_checksInARow < ChecksToStopCompeting)
        {
            return;
        }
        StopCompeting();
        YieldToQueue(_queueBeforeCheck, target, now);
        CompetitorChecksPassed++;
    }

    /// <summary>Back to following the delay: by a competitor check, or after the queue has been gone for <see cref="CalmAfterRounds"/> rounds and <see cref="CalmAfterMicros"/>.</summary>
    private void StopCompeting()
    {
        Competing = false;
        _cutsThisEpisode = 0;
        _queuedRounds = 0;
        _calmRounds = 0;
        _checksInARow = 0;
    }

    /// <summary>
    /// The delay side of <see cref="CongestionMode.Normal"/>. A queue above target is cut once; while it stays,
    /// the window holds still. A queue that holds steady is still ours (the cut was not enough) and is cut
    /// again, up to three times; one that keeps growing while we hold still, or outlives three cuts, is
    /// another flow's, and after three such rounds udpx
    /// competes by loss until the queue has been gone for <see cref="CalmAfterRounds"/> rounds and
    /// <see cref="CalmAfterMicros"/>.
    /// </summary>
    private void FollowQueue(long queue, long target, long now)
    {
        if (Competing)
        {
            _calmRounds = queue < target / 2 ? _calmRounds + 1 : 0;
            if (_calmRounds == 1)
            {
                _calmSince = now;
            }
            // A loss-based competitor's sawtooth drains the buffer after each overflow, since both flows cut, and
            // CUBIC takes seconds to fill it again (its curve returns to the last peak in ∛(0.3 W / 0.4) s: 2.5 s
            // for 20 datagrams, 4 s for 100). Sixteen round trips of that trough (0.3 s at 20 ms) ended competing
            // there, and udpx, delay-based again, yielded to CUBIC's returning queue a cut at a time, down to a
            // sixth of the link (100 Mbit/s, 5 ms of buffer, 20 ms of RTT: 23-32% in the lab, 17-20% simulated).
            // A flow that has truly gone is found by the competitor check all the same.
            if (_calmRounds >= CalmAfterRounds && now - _calmSince >= CalmAfterMicros)
            {
                StopCompeting();
            }
            return;
        }
        if (queue <= target)
        {
            // Two rounds below target end an episode: one may be jitter, or the trough of a competitor's sawtooth.
            if (++_quietRounds >= 2)
            {
                _cutsThisEpisode = 0;
                _queuedRounds = 0;
            }
            return;
        }
        _quietRounds = 0;
        if (_cutsThisEpisode == 0 || InStartup)
        {
            if (now >= _holdUntil)
            {
                // The cut that ends start-up acts on a queue measured when the window was half what it is: it
                // may not be enough, so the episode's first real cut comes after it.
                bool leavingStartup = InStartup;
                _windowBeforeEpisode = _cwnd;
                YieldToQueue(queue, target, now);
                _cutsThisEpisode = leavingStartup ? 0 : 1;
                _queueAtCut = queue;
            }
            return;
        }
        // Three cuts with the window held still between them remove any queue of ours; a queue still there,
        // growing or standing at a full buffer, is someone else's.
        if (now < _holdUntil)
        {
            // The last cut has not reached the queue yet: what it shows is still from before.
            return;
        }
        if (queue > _queueAtCut + (target / 2) || _cutsThisEpisode >= 3)
        {
            // Growing while we hold still: not ours.
            if (++_queuedRounds >= CompetingAfterRounds)
            {
                // What we gave up for a queue that was not ours comes back: compete from where we stood.
                Competing = true;
                _calmRounds = 0;
                _checksInARow = 0;
                _cwnd = Math.Min(_maxWindow, Math.Max(Math.Max(_cwnd, _windowBeforeEpisode), FairWindow(0.5, queue)));
                _wMax = _cwnd;
                _epochStart = -1;
            }
        }
        else if (queue >= _lastQueue)
        {
            // Steady and not draining: our cut fell short.
            YieldToQueue(queue, target, now);
            _cutsThisEpisode++;
            _queueAtCut = queue;
        }
    }

    /// <summary><paramref name="share"/> of what the path carries (its best recent rate) over its base RTT plus <paramref name="queue"/>.</summary>
    private double FairWindow(double share, long queue)
    {
        long baseRtt = _minRtt == long.MaxValue ? _srtt : _minRtt;
        return share * _pathRate * (baseRtt + queue);
    }
}
