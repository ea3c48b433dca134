using Udpx.Net;
using Udpx.Ui.Models;

namespace Udpx.Tests.Ui;

public sealed class StreamFeedTests
{
    [Fact]
    public void A_trickle_is_shown_whole_with_time_sender_bytes_length_and_first_bytes()
    {
        var ring = new DatagramRing(256);
        var feed = new StreamFeed("from", linesPerPoll: 5);
        feed.Add(ring, r => "10.0.0.7:5000");
        ring.Record(5_000_000, 1, 0, 1444, 1472, [0xca, 0xfe, 0xba, 0xbe]);
        ring.Record(5_250_000, 1, 1, 2888, 1472, [1, 2]);
        ring.Record(6_500_000, 1, 2, 3000, 140, []);

        feed.Poll(0);

        Assert.Equal("showing all", feed.SamplingText());
        Assert.Equal(3, feed.Entries.Count);
        var lines = feed.Lines(78);
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Equal(78, l.Length));
        Assert.Contains("from", lines[0], StringComparison.Ordinal);
        Assert.Contains("first bytes", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^\s+0\.000000 10\.0\.0\.7:5000\s+0\s+1,444\s+1472 ca fe ba be\s*$", lines[1]);
        Assert.Matches(@"^\s+0\.250000 .*\s1\s+2,888\s+1472 01 02\s*$", lines[2]);
        Assert.Matches(@"^\s+1\.500000 .*\s2\s+3,000\s+140\s*$", lines[3]);
    }

    [Fact]
    public void A_flood_is_sampled_evenly_ending_on_the_newest_and_the_ratio_is_said()
    {
        var ring = new DatagramRing(256);
        var feed = new StreamFeed(linesPerPoll: 5);
        feed.Add(ring, _ => "peer");
        for (int i = 0; i < 200; i++)
        {
            ring.Record(i, 1, (ulong)i, i * 1444L, 1472, []);
        }

        feed.Poll(250_000);

        Assert.Equal(5, feed.Entries.Count);
        Assert.Equal(40, feed.Ratio);
        Assert.Equal("showing 1 in 40", feed.SamplingText());
        Assert.Equal(199ul, feed.Entries[^1].Record.Chunk);
        Assert.Equal([39ul, 79, 119, 159, 199], feed.Entries.Select(e => e.Record.Chunk));
    }

    [Fact]
    public void Datagrams_the_ring_lost_before_the_poll_count_in_the_ratio()
    {
        var ring = new DatagramRing(256);
        var feed = new StreamFeed(linesPerPoll: 5);
        feed.Add(ring, _ => "peer");
        for (int i = 0; i < 1000; i++)
        {
            ring.Record(i, 1, (ulong)i, 0, 1472, []);
        }

        feed.Poll(250_000);

        Assert.Equal(1000, feed.Total);
        Assert.Equal("showing 1 in 200", feed.SamplingText());
    }

    [Fact]
    public void The_ratio_covers_the_last_second()
    {
        var ring = new DatagramRing(256);
        var feed = new StreamFeed(linesPerPoll: 5);
        feed.Add(ring, _ => "peer");
        for (int poll = 1; poll <= 4; poll++)
        {
            for (int i = 0; i < (poll == 1 ? 100 : 0); i++)
            {
                ring.Record(i, 1, (ulong)i, 0, 1472, []);
            }
            feed.Poll(poll * 250_000L);
        }
        Assert.Equal("showing 1 in 20", feed.SamplingText());
        ring.Record(0, 1, 0, 0, 1472, []);
        feed.Poll(1_500_000);
        Assert.Equal("showing all", feed.SamplingText());
    }

    [Fact]
    public void Paused_it_drains_the_rings_but_keeps_what_it_shows()
    {
        var ring = new DatagramRing(256);
        var feed = new StreamFeed(linesPerPoll: 5);
        feed.Add(ring, _ => "peer");
        ring.Record(0, 1, 0, 0, 1472, []);
        feed.Poll(0);
        feed.Paused = true;
        for (int i = 1; i < 50; i++)
        {
            ring.Record(i, 1, (ulong)i, 0, 1472, []);
        }
        feed.Poll(250_000);
        Assert.Single(feed.Entries);
        Assert.Equal("paused", feed.SamplingText());
        Assert.Equal(50, feed.Total);

        feed.Paused = false;
        ring.Record(60, 1, 60, 0, 1472, []);
        feed.Poll(500_000);
        Assert.Equal([0ul, 60], feed.Entries.Select(e => e.Record.Chunk));
    }

    [Fact]
    public void Several_rings_merge_by_time_since_each_began_with_their_own_labels()
    {
        var a = new DatagramRing(16);
        var b = new DatagramRing(16);
        var feed = new StreamFeed("file", linesPerPoll: 10);
        feed.Add(a, _ => "a.bin");
        feed.Add(b, _ => "b.bin");
        // Each ring has its own clock: b's stamps are offset by an hour.
        a.Record(100, 1, 0, 0, 1472, []);
        a.Record(300, 1, 1, 0, 1472, []);
        b.Record(3_600_000_000 + 0, 2, 0, 0, 1472, []);
        b.Record(3_600_000_000 + 250, 2, 1, 0, 1472, []);

        feed.Poll(0);

        Assert.Equal(["a.bin", "b.bin", "a.bin", "b.bin"], feed.Entries.Select(e => e.Label));
        Assert.Equal([0L, 0, 200, 250], feed.Entries.Select(e => e.Micros));
        Assert.Contains("file", feed.Lines(78)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Narrow_panes_get_the_compact_columns()
    {
        var ring = new DatagramRing(16);
        var feed = new StreamFeed();
        feed.Add(ring, _ => "127.0.0.1:40000");
        ring.Record(1_234_567, 1, 7, 10_108, 1472, [0xde, 0xad, 0xbe, 0xef]);
        feed.Poll(0);

        var lines = feed.Lines(38);

        Assert.All(lines, l => Assert.Equal(38, l.Length));
        Assert.Matches(@"^\s*0\.000 127\.\S*…\s+10108 1472 de ad\s*$", lines[1]);
    }
}
