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
    string Message)
{
    public string StateText => State switch
    {
        SessionState.Preparing => "prep",
        SessionState.Receiving => "recv",
        SessionState.Verifying => "verify",
        SessionState.Done => "done",
        SessionState.Failed => "failed",
        _ => State.ToString(),
    };
}
