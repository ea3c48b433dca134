using Udpx.Common;
using Udpx.Server;

namespace Udpx.Ui.Models;

/// <summary>
/// What the UI knows of one server session at one moment: read once per refresh, then formatted at leisure.
/// The peer's name and the result message are escaped here, once, for every screen that shows them.
/// </summary>
internal readonly record struct SessionSnapshot(
    ulong Id,
    string Peer,
    string Name,
    long FileSize,
    long BytesReceived,
    long Datagrams,
    long Duplicates,
    long Corrupt,
    SessionState State,
    long StartedAt,
    long FinishedAt,
    string Message)
{
    public static SessionSnapshot Of(ReceiverSession session)
    {
        // State first: once it reads as finished, the end time and message written before it are visible.
        var state = session.State;
        bool finished = state is SessionState.Done or SessionState.Failed;
        return new SessionSnapshot(
            session.Id,
            session.PeerText,
            SafeText.Escape(session.Name),
            session.FileSize,
            session.BytesReceived,
            session.Datagrams,
            session.Duplicates,
            session.Corrupt,
            state,
            session.StartedAt,
            finished ? session.FinishedAt : 0,
            finished ? SafeText.Escape(WithHook(session.ResultMessage, session.Hook)) : string.Empty);
    }

    /// <summary>The result, then how the --on-file hook ended and its first line ("hook exit 3: no route").</summary>
    private static string WithHook(string message, HookOutcome? hook) =>
        hook is null ? message
            : (message.Length > 0 ? message + "; " : string.Empty) + "hook " + hook.Status + (hook.FirstLines.Count > 0 ? ": " + hook.FirstLines[0] : string.Empty);
}
