using Udpx.Modes;

namespace Udpx.Bench;

/// <summary>One thing to measure: a mode, with its worker count where it has one, over a set of files.</summary>
/// <param name="Workers">Processes in the pool or transfers in flight; 0 for the modes that start one per transfer.</param>
internal sealed record BenchPoint(ConcurrencyMode Mode, int Workers, long FileSize, int Count, int DatagramSize)
{
    /// <summary>The mode as the tables show it: "thread-async ×2" when it has workers.</summary>
    public string Label => Workers > 0 ? Mode.Name() + " \u00d7" + Workers : Mode.Name();

    public static bool HasWorkers(ConcurrencyMode mode) => mode is ConcurrencyMode.ProcessAsync or ConcurrencyMode.ThreadAsync;

    public static bool StartsProcesses(ConcurrencyMode mode) => mode is ConcurrencyMode.Process or ConcurrencyMode.ProcessAsync;
}
