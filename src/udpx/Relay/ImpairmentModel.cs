namespace Udpx.Relay;

/// <summary>
/// The impairment decisions of one stream of datagrams: pure logic over a <see cref="Random"/>,
/// no sockets and no clock, so a seed gives the same decisions for the same datagram sequence.
/// Not thread-safe: one stream, one owner.
/// </summary>
internal sealed class ImpairmentModel
{
    private const int MaxFlippedBits = 3;

    private readonly Random _random;
    private readonly double _loss;
    private readonly double _duplicate;
    private readonly double _reorder;
    private readonly double _corrupt;
    private readonly long _delayTicks;
    private readonly long _jitterTicks;

    public ImpairmentModel(ImpairmentOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        _random = random;
        _loss = options.LossPercent / 100;
        _duplicate = options.DuplicatePercent / 100;
        _reorder = options.ReorderPercent / 100;
        _corrupt = options.CorruptPercent / 100;
        _delayTicks = options.Delay.Ticks;
        _jitterTicks = options.Jitter.Ticks;
    }

    /// <summary>
    /// The seed of one stream: a client (numbered in the order the relay first heard from it)
    /// and a direction. Mixing keeps neighbouring streams unrelated.
    /// </summary>
    public static int DeriveSeed(int relaySeed, int clientIndex, RelayDirection direction)
    {
        unchecked
        {
            var x = ((ulong)(uint)relaySeed << 32) | (uint)((clientIndex * 2) + (int)direction);
            x += 0x9E3779B97F4A7C15;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
            x ^= x >> 31;
            return (int)x;
        }
    }

    /// <summary>Draws the fate of the next datagram.</summary>
    public ImpairmentDecision Decide()
    {
        // Every draw is made every time, so turning one impairment on or off does not shift
        // the others' decisions for the same seed.
        var loss = _random.NextDouble();
        var duplicate = _random.NextDouble();
        var reorder = _random.NextDouble();
        var corrupt = _random.NextDouble();
        var jitter = _random.NextDouble();

        var delayTicks = _delayTicks;
        if (_jitterTicks > 0)
        {
            delayTicks += (long)(((jitter * 2) - 1) * _jitterTicks);
            delayTicks = Math.Max(0, delayTicks);
        }

        return new ImpairmentDecision(
            Drop: loss < _loss,
            Duplicate: duplicate < _duplicate,
            Reorder: reorder < _reorder,
            Corrupt: corrupt < _corrupt,
            Delay: TimeSpan.FromTicks(delayTicks));
    }

    /// <summary>
    /// Flips one to three distinct random bits of the payload in place and returns how many
    /// were flipped (zero only for an empty payload). The length never changes.
    /// </summary>
    public int Corrupt(Span<byte> payload)
    {
        var bits = payload.Length * 8L;
        if (bits == 0)
        {
            return 0;
        }

        var wanted = (int)Math.Min(_random.Next(1, MaxFlippedBits + 1), bits);
        Span<long> flipped = stackalloc long[MaxFlippedBits];
        var count = 0;
        while (count < wanted)
        {
            var bit = _random.NextInt64(bits);
            if (flipped[..count].Contains(bit))
            {
                continue;
            }

            flipped[count++] = bit;
            payload[(int)(bit >> 3)] ^= (byte)(1 << (int)(bit & 7));
        }

        return count;
    }
}
