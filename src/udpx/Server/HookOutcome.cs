using System.Globalization;

namespace Udpx.Server;

/// <summary>
/// How one run of the `serve --on-file` hook ended (<see cref="End"/>): its exit code when it exited, or that
/// it was killed at the timeout or when the server stopped, or could not start (<see cref="Error"/>); the
/// first lines it wrote (stdout and stderr together, as they came) and how many it wrote in all.
/// </summary>
internal sealed record HookOutcome(HookEnd End, int? ExitCode, string? Error, IReadOnlyList<string> FirstLines, int Lines, double Seconds)
{
    /// <summary>At most this many lines are kept, each cut to <see cref="MaxLineLength"/> characters.</summary>
    public const int KeptLines = 5;

    public const int MaxLineLength = 200;

    public bool Succeeded => End == HookEnd.Exited && ExitCode == 0;

    /// <summary>"exit 0", "exit 3", "killed after 60 s (timeout)", "not started: ...", unescaped.</summary>
    public string Status => End switch
    {
        HookEnd.Exited => "exit " + ExitCode?.ToString(CultureInfo.InvariantCulture),
        HookEnd.TimedOut => "killed after " + Seconds.ToString("0.#", CultureInfo.InvariantCulture) + " s (timeout)",
        HookEnd.Stopped => "killed: the server stopped",
        HookEnd.NotRun => "not run: " + Error,
        _ => "not started: " + Error,
    };

    /// <summary>The word the JSON events use for <see cref="End"/>.</summary>
    public string EndText => End switch
    {
        HookEnd.Exited => "exited",
        HookEnd.TimedOut => "timeout",
        HookEnd.Stopped => "stopped",
        HookEnd.NotRun => "dropped",
        _ => "not-started",
    };
}

/// <summary>How a hook run ended.</summary>
internal enum HookEnd
{
    Exited,
    TimedOut,
    Stopped,
    NotStarted,
    /// <summary>Never run: the queue was full, or the server stopped before its turn.</summary>
    NotRun,
}
