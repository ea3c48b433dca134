namespace Udpx.Modes;

/// <summary>
/// A worker's standard error as the parent reads it. Its last line is what the parent says when the worker
/// exits badly. With <c>UDPX_TRACE_CC=1</c> the worker's congestion controller prints a line per round there
/// too (<c>cc ...</c>), and before each job a <see cref="JobMarker"/> line with the job's id; the parent then
/// forwards each trace line to its own standard error, prefixed with the transfer it belongs to, so that the
/// process modes show their controllers as the thread modes do. Trace and marker lines are never the exit message.
/// </summary>
internal static class WorkerErrorLines
{
    /// <summary>What a tracing worker writes before each job, followed by the job's id.</summary>
    public const string JobMarker = "udpx worker: job ";

    private const string TracePrefix = "cc ";

    /// <summary>
    /// Reads <paramref name="errors"/> to its end and returns its last line that is not empty (empty when none).
    /// Only when <paramref name="forward"/> is given (tracing), trace lines go there instead, after the label
    /// <paramref name="label"/> gives the job of the last marker (the worker's pid alone before any marker), and
    /// marker lines are read, not kept.
    /// </summary>
    public static async Task<string> ReadAsync(TextReader errors, TextWriter? forward, int pid, Func<int, string?> label)
    {
        string last = string.Empty;
        string prefix = "[worker " + pid + "] ";
        string? line;
        while ((line = await errors.ReadLineAsync().ConfigureAwait(false)) is not null)
        {
            if (forward is not null && line.StartsWith(JobMarker, StringComparison.Ordinal))
            {
                if (int.TryParse(line.AsSpan(JobMarker.Length), out int jobId) && label(jobId) is { } transfer)
                {
                    prefix = "[" + transfer + ", worker " + pid + "] ";
                }
                continue;
            }
            if (forward is not null && line.StartsWith(TracePrefix, StringComparison.Ordinal))
            {
                // One call per line: Console.Error is synchronised, so lines from several workers do not interleave.
                forward.WriteLine(prefix + line);
                continue;
            }
            if (line.Trim().Length > 0)
            {
                last = line.Trim();
            }
        }
        return last;
    }
}
