using System.Numerics;
using Udpx.Relay;

namespace Udpx.Tests.Relay;

public class ImpairmentModelTests
{
    private const int Decisions = 100_000;

    [Fact]
    public void Ten_percent_loss_drops_about_ten_percent()
    {
        var model = new ImpairmentModel(new ImpairmentOptions { LossPercent = 10 }, new Random(1234));
        var dropped = 0;
        for (var i = 0; i < Decisions; i++)
        {
            dropped += model.Decide().Drop ? 1 : 0;
        }

        // Binomial(100000, 0.1): standard deviation about 95; allow more than 6 of them.
        Assert.InRange(dropped, 9_400, 10_600);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(-99)]
    public void Each_impairment_lands_near_its_probability(int seed)
    {
        var model = new ImpairmentModel(
            new ImpairmentOptions { LossPercent = 5, DuplicatePercent = 20, ReorderPercent = 50, CorruptPercent = 1 },
            new Random(seed));
        int drop = 0, duplicate = 0, reorder = 0, corrupt = 0;
        for (var i = 0; i < Decisions; i++)
        {
            var decision = model.Decide();
            drop += decision.Drop ? 1 : 0;
            duplicate += decision.Duplicate ? 1 : 0;
            reorder += decision.Reorder ? 1 : 0;
            corrupt += decision.Corrupt ? 1 : 0;
        }

        Assert.InRange(drop, 4_500, 5_500);
        Assert.InRange(duplicate, 19_200, 20_800);
        Assert.InRange(reorder, 49_000, 51_000);
        Assert.InRange(corrupt, 800, 1_200);
    }

    [Fact]
    public void No_impairment_changes_nothing()
    {
        var model = new ImpairmentModel(ImpairmentOptions.None, new Random(5));
        for (var i = 0; i < Decisions; i++)
        {
            var decision = model.Decide();
            Assert.False(decision.Drop);
            Assert.False(decision.Duplicate);
            Assert.False(decision.Reorder);
            Assert.False(decision.Corrupt);
            Assert.Equal(TimeSpan.Zero, decision.Delay);
            Assert.Equal(1, decision.Copies);
        }
    }

    [Fact]
    public void Full_loss_drops_everything()
    {
        var model = new ImpairmentModel(new ImpairmentOptions { LossPercent = 100 }, new Random(5));
        for (var i = 0; i < Decisions; i++)
        {
            Assert.True(model.Decide().Drop);
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_decisions()
    {
        var options = new ImpairmentOptions
        {
            LossPercent = 10,
            DuplicatePercent = 10,
            ReorderPercent = 10,
            CorruptPercent = 10,
            Delay = TimeSpan.FromMilliseconds(20),
            Jitter = TimeSpan.FromMilliseconds(10),
        };
        var first = new ImpairmentModel(options, new Random(42));
        var second = new ImpairmentModel(options, new Random(42));
        var other = new ImpairmentModel(options, new Random(43));
        var differs = false;
        for (var i = 0; i < 10_000; i++)
        {
            var decision = first.Decide();
            Assert.Equal(decision, second.Decide());
            differs |= decision != other.Decide();
        }

        Assert.True(differs);
    }

    [Fact]
    public void Same_seed_corrupts_the_same_bits()
    {
        var options = new ImpairmentOptions { CorruptPercent = 100 };
        var first = new ImpairmentModel(options, new Random(9));
        var second = new ImpairmentModel(options, new Random(9));
        for (var i = 0; i < 1_000; i++)
        {
            var a = new byte[1 + (i % 50)];
            var b = new byte[a.Length];
            first.Corrupt(a);
            second.Corrupt(b);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void Turning_one_impairment_on_does_not_shift_the_others()
    {
        var lossOnly = new ImpairmentModel(new ImpairmentOptions { LossPercent = 30 }, new Random(77));
        var lossAndMore = new ImpairmentModel(
            new ImpairmentOptions { LossPercent = 30, DuplicatePercent = 50, Jitter = TimeSpan.FromMilliseconds(3) },
            new Random(77));
        for (var i = 0; i < 10_000; i++)
        {
            Assert.Equal(lossOnly.Decide().Drop, lossAndMore.Decide().Drop);
        }
    }

    [Fact]
    public void Corrupt_changes_bytes_but_keeps_length()
    {
        var model = new ImpairmentModel(new ImpairmentOptions { CorruptPercent = 100 }, new Random(3));
        var random = new Random(4);
        for (var i = 0; i < 10_000; i++)
        {
            var original = new byte[1 + random.Next(1500)];
            random.NextBytes(original);
            var payload = (byte[])original.Clone();

            var flipped = model.Corrupt(payload);

            Assert.Equal(original.Length, payload.Length);
            Assert.NotEqual(original, payload);
            Assert.InRange(flipped, 1, 3);
            Assert.Equal(flipped, DifferentBits(original, payload));
        }
    }

    [Fact]
    public void Corrupt_flips_a_bit_of_a_one_byte_payload_and_leaves_an_empty_one()
    {
        var model = new ImpairmentModel(new ImpairmentOptions { CorruptPercent = 100 }, new Random(3));
        for (var i = 0; i < 1_000; i++)
        {
            var payload = new byte[] { 0x5A };
            Assert.InRange(model.Corrupt(payload), 1, 3);
            Assert.NotEqual(0x5A, payload[0]);
        }

        Assert.Equal(0, model.Corrupt(Span<byte>.Empty));
    }

    [Fact]
    public void Full_duplicate_yields_two_copies()
    {
        var model = new ImpairmentModel(new ImpairmentOptions { DuplicatePercent = 100 }, new Random(8));
        for (var i = 0; i < 1_000; i++)
        {
            var decision = model.Decide();
            Assert.True(decision.Duplicate);
            Assert.Equal(2, decision.Copies);
        }
    }

    [Fact]
    public void Jittered_delay_stays_within_bounds_and_averages_the_delay()
    {
        var model = new ImpairmentModel(
            new ImpairmentOptions { Delay = TimeSpan.FromMilliseconds(50), Jitter = TimeSpan.FromMilliseconds(10) },
            new Random(11));
        double total = 0;
        for (var i = 0; i < Decisions; i++)
        {
            var delay = model.Decide().Delay;
            Assert.InRange(delay, TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(60));
            total += delay.TotalMilliseconds;
        }

        Assert.InRange(total / Decisions, 49.8, 50.2);
    }

    [Fact]
    public void Jitter_larger_than_the_delay_never_goes_below_zero()
    {
        var model = new ImpairmentModel(new ImpairmentOptions { Jitter = TimeSpan.FromMilliseconds(10) }, new Random(12));
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(model.Decide().Delay >= TimeSpan.Zero);
        }
    }

    [Fact]
    public void Streams_of_clients_and_directions_get_different_seeds()
    {
        var seeds = new HashSet<int>();
        for (var client = 0; client < 100; client++)
        {
            seeds.Add(ImpairmentModel.DeriveSeed(42, client, RelayDirection.ClientToServer));
            seeds.Add(ImpairmentModel.DeriveSeed(42, client, RelayDirection.ServerToClient));
        }

        Assert.Equal(200, seeds.Count);
        Assert.Equal(
            ImpairmentModel.DeriveSeed(42, 3, RelayDirection.ServerToClient),
            ImpairmentModel.DeriveSeed(42, 3, RelayDirection.ServerToClient));
        Assert.NotEqual(
            ImpairmentModel.DeriveSeed(42, 0, RelayDirection.ClientToServer),
            ImpairmentModel.DeriveSeed(43, 0, RelayDirection.ClientToServer));
    }

    private static int DifferentBits(byte[] a, byte[] b)
    {
        var count = 0;
        for (var i = 0; i < a.Length; i++)
        {
            count += BitOperations.PopCount((uint)(a[i] ^ b[i]));
        }

        return count;
    }
}
