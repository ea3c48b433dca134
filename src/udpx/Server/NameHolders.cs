namespace Udpx.Server;

/// <summary>
/// Which receive thread's session holds each name being received, shared by all the receive threads of one
/// server (through <see cref="SessionBudget.Names"/>). A client that crashed and runs again comes from a new
/// port, which the kernel may hand to another receive thread than the one holding its dead session; this is
/// how that thread finds the session and asks its owner to set it aside.
/// <para>
/// It never grants ownership: a name, and with it the partial file and record kept under the name's hash,
/// belongs to the one session that claimed it in the shared <see cref="DirectoryFileStore"/> (one lock, one
/// claim per name) until that session's file is committed, discarded or written out. Only the owning thread
/// ends its session; the other thread answers "busy" meanwhile and claims the name, and so the partial file,
/// only once the store has released it. Two receive threads can therefore never both own one partial file.
/// </para>
/// </summary>
internal sealed class NameHolders
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Holder> _holders = new(StringComparer.Ordinal);

    /// <summary>A session and the receive thread (its protocol) that owns it.</summary>
    internal readonly record struct Holder(ReceiverSession Session, ServerProtocol Owner);

    /// <summary>Names held right now, on every receive thread.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _holders.Count;
            }
        }
    }

    /// <summary>The session got its name from the store: it holds it until <see cref="Release"/>.</summary>
    public void Hold(ReceiverSession session, ServerProtocol owner)
    {
        lock (_lock)
        {
            _holders[session.Name] = new Holder(session, owner);
        }
    }

    /// <summary>The session ended; a later holder of the same name (there is none before the store frees it) is kept.</summary>
    public void Release(ReceiverSession session)
    {
        lock (_lock)
        {
            if (_holders.TryGetValue(session.Name, out var holder) && ReferenceEquals(holder.Session, session))
            {
                _holders.Remove(session.Name);
            }
        }
    }

    /// <summary>The session holding <paramref name="name"/> and its owner; false when no session does (its file may still be being written out).</summary>
    public bool TryFind(string name, out Holder holder)
    {
        lock (_lock)
        {
            return _holders.TryGetValue(name, out holder);
        }
    }
}
