namespace Udpx.Modes;

/// <summary>Runs a batch of transfers under one concurrency mode. Only the dispatch differs between modes.</summary>
internal interface ITransferDispatcher
{
    ConcurrencyMode Mode { get; }

    /// <summary>Worker count: processes in the pool, or transfers in flight; 0 when each transfer gets its own.</summary>
    int Workers { get; }

    /// <summary>Runs every transfer to its end; each handle gets a result, failures included.</summary>
    Task RunAsync(IReadOnlyList<TransferHandle> transfers, CancellationToken cancellationToken);
}

internal enum ConcurrencyMode
{
    Process,
    Thread,
    ProcessAsync,
    ThreadAsync,
}

internal static class ConcurrencyModeNames
{
    public static readonly string[] All = ["process", "thread", "process-async", "thread-async"];

    /// <summary>The four modes, in the order of <see cref="All"/>.</summary>
    public static readonly ConcurrencyMode[] Every = [ConcurrencyMode.Process, ConcurrencyMode.Thread, ConcurrencyMode.ProcessAsync, ConcurrencyMode.ThreadAsync];

    public static string Name(this ConcurrencyMode mode) => mode switch
    {
        ConcurrencyMode.Process => "process",
        ConcurrencyMode.Thread => "thread",
        ConcurrencyMode.ProcessAsync => "process-async",
        ConcurrencyMode.ThreadAsync => "thread-async",
        _ => mode.ToString(),
    };

    public static bool TryParse(string text, out ConcurrencyMode mode)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "process":
                mode = ConcurrencyMode.Process;
                return true;
            case "thread":
                mode = ConcurrencyMode.Thread;
                return true;
            case "process-async":
                mode = ConcurrencyMode.ProcessAsync;
                return true;
            case "thread-async":
                mode = ConcurrencyMode.ThreadAsync;
                return true;
            default:
                mode = default;
                return false;
        }
    }
}
