namespace Udpx.Modes;

/// <summary>
/// How many transfers of one batch in the process modes may run toward each server at once: the parent's
/// budget for a path. Every worker process is its own congestion controller; 32 of them toward one server read
/// each other's queue as a competitor's, all switch to competing by loss and keep the server's socket buffer
/// full (docs/performance.md, "Many transfers at once"). So the workers take turns, <see cref="PerPath"/> at a
/// time per server (process-async here; process mode runs each server's children in order): one congestion
/// state per path at a time. Thread mode takes turns too, the core count at a time, on the one controller its
/// threads share (<see cref="ThreadDispatcher.SendingPerPath"/>), in units: a small file takes a share of a turn.
/// </summary>
internal sealed class PathTurns(int perPath = PathTurns.PerPath)
{
    /// <summary>
    /// One: 32 files of 8 MiB took 1.9-2.6 s one at a time, 3.7-4.6 s two at a time and 8-10 s four at a time
    /// (two controllers on one path already lose to each other, and the CPU time doubles).
    /// </summary>
    public const int PerPath = 1;

    private readonly Dictionary<string, SemaphoreSlim> _paths = [];

    /// <summary>Waits for a turn on <paramref name="server"/>'s path; dispose the result to give it back.</summary>
    public async Task<Turn> TakeAsync(string server, CancellationToken cancellationToken)
    {
        var gate = Gate(server);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(gate);
    }

    /// <summary>Waits, blocking this thread, for a turn on <paramref name="server"/>'s path; dispose the result to give it back.</summary>
    public Turn Take(string server, CancellationToken cancellationToken) => Take(server, 1, cancellationToken);

    /// <summary>
    /// Waits, blocking this thread, for <paramref name="units"/> of the path's <c>perPath</c> units (a share of a
    /// turn; at most all of them); dispose the result to give them back. One taker at a time gathers its units,
    /// so two can never each hold part of what the other waits for.
    /// </summary>
    public Turn Take(string server, int units, CancellationToken cancellationToken)
    {
        var gate = Gate(server);
        units = Math.Clamp(units, 1, Math.Max(1, perPath));
        int taken = 0;
        lock (gate)
        {
            try
            {
                for (; taken < units; taken++)
                {
                    gate.Wait(cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                if (taken > 0)
                {
                    gate.Release(taken);
                }
                throw;
            }
        }
        return new Turn(gate, units);
    }

    private SemaphoreSlim Gate(string server)
    {
        lock (_paths)
        {
            if (!_paths.TryGetValue(server, out var gate))
            {
                gate = new SemaphoreSlim(Math.Max(1, perPath));
                _paths.Add(server, gate);
            }
            return gate;
        }
    }

    /// <summary>One transfer's turn on a path: the units it holds.</summary>
    internal sealed class Turn(SemaphoreSlim gate, int units = 1) : IDisposable
    {
        private SemaphoreSlim? _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release(units);
    }
}
