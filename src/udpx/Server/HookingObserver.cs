namespace Udpx.Server;

/// <summary>
/// The server's observer with `--on-file` in front of it: each session that ends with its file stored
/// queues the hook for it (after the inner observer has logged the file). Everything else passes through.
/// </summary>
internal sealed class HookingObserver(IServerObserver inner, FileHook hook, string folder) : IServerObserver
{
    public bool WantsDatagrams => inner.WantsDatagrams;

    public void SessionStarted(ReceiverSession session) => inner.SessionStarted(session);

    public void SessionEnded(ReceiverSession session, double seconds)
    {
        inner.SessionEnded(session, seconds);
        if (session.Result == Protocol.RejectReason.None)
        {
            hook.TryQueue(StoredFile.Of(session, folder));
        }
    }

    public void Refused(string peer, string name, string reason) => inner.Refused(peer, name, reason);

    public void Datagram(ReceiverSession session, ulong chunk, int length, ReadOnlySpan<byte> payload) => inner.Datagram(session, chunk, length, payload);

    public void HookFinished(StoredFile file, HookOutcome outcome) => inner.HookFinished(file, outcome);
}
