using Udpx.Relay;

namespace Udpx.Tests.Reliability;

/// <summary>
/// One impaired path: the `udpx relay` flags that make it (applied to both directions) and the relay
/// counter that proves the impairment really happened.
/// </summary>
internal sealed record ImpairmentScenario(string Name, string Flags, Func<DirectionStatistics, long> Evidence, string EvidenceName)
{
    public string? Loss { get; init; }

    public string? Duplicate { get; init; }

    public string? Reorder { get; init; }

    public string? Corrupt { get; init; }

    public string? Delay { get; init; }

    public static IReadOnlyList<ImpairmentScenario> All { get; } =
    [
        new("loss 1%", "--loss 1", s => s.Dropped, "dropped") { Loss = "1" },
        new("loss 10%", "--loss 10", s => s.Dropped, "dropped") { Loss = "10" },
        new("loss 30%", "--loss 30", s => s.Dropped, "dropped") { Loss = "30" },
        new("duplicate 5%", "--duplicate 5", s => s.Duplicated, "duplicated") { Duplicate = "5" },
        new("reorder 10%", "--reorder 10", s => s.Reordered, "reordered") { Reorder = "10" },
        new("corrupt 1%", "--corrupt 1", s => s.Corrupted, "corrupted") { Corrupt = "1" },
        new("delay 20±10 ms", "--delay 20±10", s => s.Delayed, "delayed") { Delay = "20±10" },
    ];

    public static ImpairmentScenario Named(string name) => All.Single(s => s.Name == name);

    public RelayedServer Start(string folder, int seed) => RelayedServer.Start(folder, seed, Loss, Duplicate, Reorder, Corrupt, Delay);
}
