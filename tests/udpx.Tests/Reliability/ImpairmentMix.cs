using System.Globalization;
using System.Net;
using Udpx.Relay;
using Udpx.Tests.Relay;

namespace Udpx.Tests.Reliability;

/// <summary>
/// A random combination of the relay's impairments (both directions alike), drawn from a seed so a
/// failing soak can be replayed. Zero means the impairment is off.
/// </summary>
internal sealed record ImpairmentMix(double Loss, double Duplicate, double Reorder, double Corrupt, int DelayMs, int JitterMs)
{
    /// <summary>Reordering of the server's replies (the Acks) alone, when it differs from <see cref="Reorder"/>.</summary>
    public double? ReplyReorder { get; init; }

    /// <summary>
    /// Each impairment is on with probability 0.6, at a rate a real bad path might have; at least one
    /// of loss, duplication, reordering and corruption is always on.
    /// </summary>
    public static ImpairmentMix Draw(Random random)
    {
        while (true)
        {
            var mix = new ImpairmentMix(
                Loss: On(random) ? Round(0.5 + (random.NextDouble() * 7.5)) : 0,
                Duplicate: On(random) ? Round(0.5 + (random.NextDouble() * 4.5)) : 0,
                Reorder: On(random) ? Round(1 + (random.NextDouble() * 9)) : 0,
                Corrupt: On(random) ? Round(0.1 + (random.NextDouble() * 1.9)) : 0,
                DelayMs: On(random) ? random.Next(0, 11) : 0,
                JitterMs: On(random) ? random.Next(1, 6) : 0);
            if (mix.Loss + mix.Duplicate + mix.Reorder + mix.Corrupt > 0)
            {
                return mix;
            }
        }
    }

    /// <summary>The flags `udpx relay` would be given for this mix, e.g. "--loss 2.5 --delay 3±2".</summary>
    public string Flags
    {
        get
        {
            var parts = new List<string>();
            Add(parts, "--loss", Loss);
            Add(parts, "--duplicate", Duplicate);
            if (ReplyReorder is { } replies)
            {
                parts.Add("--reorder " + Text(Reorder) + "/" + Text(replies));
            }
            else
            {
                Add(parts, "--reorder", Reorder);
            }
            Add(parts, "--corrupt", Corrupt);
            if (Delay is { } delay)
            {
                parts.Add("--delay " + delay);
            }
            return string.Join(' ', parts);
        }
    }

    private string? Delay => DelayMs == 0 && JitterMs == 0
        ? null
        : JitterMs == 0 ? Text(DelayMs) : Text(DelayMs) + "±" + Text(JitterMs);

    /// <summary>Starts an in-process relay with this mix in front of <paramref name="server"/>.</summary>
    public UdpRelay StartRelay(IPEndPoint server, int seed)
    {
        var options = RelayFlags.Parse(
            "127.0.0.1:0",
            server.ToString(),
            Percent(Loss),
            Percent(Duplicate),
            ReplyReorder is { } replies ? Text(Reorder) + "/" + Text(replies) : Percent(Reorder),
            Percent(Corrupt),
            Delay,
            rate: null,
            seed: Text(seed));
        return RelayedServer.StartRelay(options);
    }

    /// <summary>
    /// The impairments that, at their rate and the traffic seen, should have happened at least ten
    /// times, with the counter that shows whether they did (both directions added up).
    /// A mix of small files may see too little traffic for a rare impairment to show.
    /// </summary>
    public IEnumerable<(string Name, long Count)> ExpectedEvidence(RelayStatistics s)
    {
        double received = s.ClientToServer.Received + s.ServerToClient.Received;
        if (Loss * received / 100 >= 10)
        {
            yield return ("dropped", s.ClientToServer.Dropped + s.ServerToClient.Dropped);
        }
        if (Duplicate * received / 100 >= 10)
        {
            yield return ("duplicated", s.ClientToServer.Duplicated + s.ServerToClient.Duplicated);
        }
        if (((Reorder * s.ClientToServer.Received) + ((ReplyReorder ?? Reorder) * s.ServerToClient.Received)) / 100 >= 10)
        {
            yield return ("reordered", s.ClientToServer.Reordered + s.ServerToClient.Reordered);
        }
        if (Corrupt * received / 100 >= 10)
        {
            yield return ("corrupted", s.ClientToServer.Corrupted + s.ServerToClient.Corrupted);
        }
        if (DelayMs + JitterMs > 0 && received >= 20)
        {
            yield return ("delayed", s.ClientToServer.Delayed + s.ServerToClient.Delayed);
        }
    }

    private static bool On(Random random) => random.NextDouble() < 0.6;

    private static double Round(double percent) => Math.Round(percent, 1);

    private static string? Percent(double value) => value == 0 ? null : Text(value);

    private static void Add(List<string> parts, string flag, double value)
    {
        if (value != 0)
        {
            parts.Add(flag + " " + Text(value));
        }
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
