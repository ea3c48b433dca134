using Udpx.Engine;

namespace Udpx.Modes;

/// <summary>Collects a job's future with a timeout; a future that fails or times out becomes a failed result.</summary>
internal static class JobFutures
{
    public static async Task<TransferResult> CollectAsync(Task<TransferResult> future, TransferJob job, TimeSpan timeout)
    {
        try
        {
            return await future.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return Failed(job, "no result within " + timeout.TotalSeconds + " s (job timeout)");
        }
        catch (OperationCanceledException)
        {
            return Failed(job, "cancelled");
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return Failed(job, ex.Message);
        }
    }

    public static TransferResult Failed(TransferJob job, string error) => new()
    {
        JobId = job.Id,
        Name = job.Name,
        Server = job.Server,
        Error = job.Server + ": " + error,
    };
}
