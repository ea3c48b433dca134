namespace Udpx.Server;

/// <summary>
/// What a server reports as it works: called on the receive thread, so implementations stay quick.
/// Per-datagram calls happen only when <see cref="WantsDatagrams"/> is true.
/// </summary>
internal interface IServerObserver
{
    bool WantsDatagrams { get; }

    void SessionStarted(ReceiverSession session);

    void SessionEnded(ReceiverSession session, double seconds);

    void Refused(string peer, string name, string reason);

    void Datagram(ReceiverSession session, ulong chunk, int length, ReadOnlySpan<byte> payload);

    /// <summary>The `--on-file` hook ran for a stored file, or never will (<see cref="HookEnd.NotRun"/>). Called on the hook's own thread.</summary>
    void HookFinished(StoredFile file, HookOutcome outcome)
    {
    }
}

internal sealed class NullServerObserver : IServerObserver
{
    public static readonly NullServerObserver Instance = new();

    public bool WantsDatagrams => false;

    public void SessionStarted(ReceiverSession session)
    {
    }

    public void SessionEnded(ReceiverSession session, double seconds)
    {
    }

    public void Refused(string peer, string name, string reason)
    {
    }

    public void Datagram(ReceiverSession session, ulong chunk, int length, ReadOnlySpan<byte> payload)
    {
    }
}
