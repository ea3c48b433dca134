using Udpx.Common;
using Udpx.Server;
using Udpx.Tftp;

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
    string Message,
    SessionKind Kind = SessionKind.Udpx)
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

    /// <summary>
    /// A transfer of the TFTP listener, in the same terms: running reads as receiving (it counts as active),
    /// then done or failed; the size is the file's, or the tsize a writer announced, or 0 when unknown.
    /// </summary>
    public static SessionSnapshot Of(TftpSession session)
    {
        bool ended = session.Ended;
        var state = !ended ? SessionState.Receiving : session.Succeeded ? SessionState.Done : SessionState.Failed;
        return new SessionSnapshot(
            (ulong)session.Id,
            "tftp " + session.PeerText,
            SafeText.Escape(session.Name),
            session.Size ?? 0,
            session.Bytes,
            session.PacketsReceived,
            0,
            0,
            state,
            session.StartedMicros,
            ended ? session.EndedMicros : 0,
            ended && !session.Succeeded ? SafeText.Escape(session.Result) : string.Empty,
            session.Request.IsWrite ? SessionKind.TftpWrite : SessionKind.TftpRead);
    }

    /// <summary>The result, then how the --on-file hook ended and its first line ("hook exit 3: no route").</summary>
    private static string WithHook(string message, HookOutcome? hook) =>
        hook is null ? message
            : (message.Length > 0 ? message + "; " : string.Empty) + "hook " + hook.Status + (hook.FirstLines.Count > 0 ? ": " + hook.FirstLines[0] : string.Empty);
}
