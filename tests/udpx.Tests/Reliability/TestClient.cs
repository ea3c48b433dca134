using Udpx.Engine;
using Udpx.Modes;
using Udpx.Tests.Integration;

namespace Udpx.Tests.Reliability;

/// <summary>The real client, in this process: one file to one server under a mode.</summary>
internal static class TestClient
{
    public static async Task<TransferResult> SendAsync(string path, string name, string server, TransferSettings? settings = null, ConcurrencyMode mode = ConcurrencyMode.Thread)
    {
        var handles = LoopbackServers.Handles([new TransferJob(1, path, name, server, settings ?? new TransferSettings())]);
        await DispatcherFactory.Create(mode, workers: 1, TimeSpan.FromMinutes(2)).RunAsync(handles, CancellationToken.None);
        return handles[0].Result ?? throw new InvalidOperationException("no result");
    }

    /// <summary>Waits for a condition that another thread or process makes true; false on timeout.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }
}
