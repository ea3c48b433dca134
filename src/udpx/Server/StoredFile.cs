using System.Globalization;

namespace Udpx.Server;

/// <summary>
/// A file a session stored, as the `serve --on-file` hook is told of it: the stored path (absolute) and the
/// metadata that goes into its environment. <see cref="Session"/> is the session that stored it, for the
/// log, the screen and the JSON events to show the hook's outcome beside it.
/// </summary>
internal sealed record StoredFile(string Path, string Name, long Size, string Sender, UInt128 Digest, ulong SessionId, long ResumedBytes, bool Encrypted, string Folder)
{
    /// <summary>The session, when the file came from one (null in tests that make a record by hand).</summary>
    public ReceiverSession? Session { get; init; }

    public static StoredFile Of(ReceiverSession session, string folder) =>
        new(System.IO.Path.Combine(folder, session.Name), session.Name, session.FileSize, session.PeerText, session.Digest.Current, session.Id, session.ResumedBytes, session.Encrypted || session.Cipher is not null, folder)
        {
            Session = session,
        };

    /// <summary>The session id as the console and a capture show it.</summary>
    public string SessionText => "0x" + SessionId.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>The environment variables the hook gets, beside the server's own environment.</summary>
    public IEnumerable<KeyValuePair<string, string>> Environment()
    {
        yield return new("UDPX_FILE", Path);
        yield return new("UDPX_NAME", Name);
        yield return new("UDPX_FILE_SIZE", Size.ToString(CultureInfo.InvariantCulture));
        yield return new("UDPX_SENDER", Sender);
        yield return new("UDPX_DIGEST", Digest.ToString("x32", CultureInfo.InvariantCulture));
        yield return new("UDPX_SESSION", SessionText);
        yield return new("UDPX_RESUMED_BYTES", ResumedBytes.ToString(CultureInfo.InvariantCulture));
        yield return new("UDPX_ENCRYPTED", Encrypted ? "1" : "0");
        yield return new("UDPX_OUT", Folder);
    }
}
