using Udpx.Server;

namespace Udpx.Ui.Models;

/// <summary>One line of the sessions table, in figures; <see cref="SessionTable"/> turns it into text.</summary>
internal readonly record struct SessionRow(
    ulong Id,
    string Peer,
    string Name,
    long BytesReceived,
    long FileSize,
    double Percent,
    double BytesPerSecond,
    long Duplicates,
    long Corrupt,
    SessionState State,
    string Message,
    SessionKind Kind = SessionKind.Udpx)
{
    /// <summary>A TFTP transfer says which way it goes: "read" or "write" while running, "sent" or "stored" once done.</summary>
    public string StateText => (Kind, State) switch
    {
        (SessionKind.TftpRead, SessionState.Done) => "sent",
        (SessionKind.TftpWrite, SessionState.Done) => "stored",
        (SessionKind.TftpRead, not SessionState.Failed) => "read",
        (SessionKind.TftpWrite, not SessionState.Failed) => "write",
        _ => UdpxStateText,
    };

    private string UdpxStateText => State switch
    {
        SessionState.Preparing => "prep",
        SessionState.Receiving => "recv",
        SessionState.Verifying => "verify",
        SessionState.Done => "done",
        SessionState.Failed => "failed",
        _ => State.ToString(),
    };
}
