namespace Udpx.Modes;

/// <summary>Builds the dispatcher for a mode; the only place the four modes are told apart.</summary>
internal static class DispatcherFactory
{
    public static ITransferDispatcher Create(ConcurrencyMode mode, int workers, TimeSpan jobTimeout, WorkerLaunch? launch = null) => mode switch
    {
        ConcurrencyMode.Thread => new ThreadDispatcher(),
        ConcurrencyMode.ThreadAsync => new ThreadPoolAsyncDispatcher(workers, jobTimeout),
        ConcurrencyMode.Process => new ProcessDispatcher(launch ?? WorkerLaunch.Resolve(), jobTimeout),
        ConcurrencyMode.ProcessAsync => new ProcessPoolDispatcher(launch ?? WorkerLaunch.Resolve(), workers, jobTimeout),
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };
}
