using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>Where a server puts incoming files. A seam: the real one is <see cref="DirectoryFileStore"/>.</summary>
internal interface IFileStore
{
    /// <summary>Opens a temporary home for a file, or says why not.</summary>
    RejectReason TryCreate(string name, long size, ulong sessionId, out IIncomingFile? file);
}

/// <summary>A file being received: written at positions, then committed under its name only if its digest matches.</summary>
internal interface IIncomingFile
{
    string Name { get; }

    /// <summary>Writes received bytes. Throws <see cref="IOException"/> when the disk refuses.</summary>
    void Write(long offset, ReadOnlySpan<byte> bytes);

    /// <summary>
    /// The bytes came encrypted (--encrypt): the stored file stays readable by the server's user only.
    /// Called before <see cref="CommitAsync"/>.
    /// </summary>
    void MarkEncrypted()
    {
    }

    /// <summary>
    /// Moves the file under its final name if the digest the client claimed equals the one the server
    /// computed while receiving; otherwise discards it (<see cref="RejectReason.DigestMismatch"/>).
    /// </summary>
    Task<RejectReason> CommitAsync(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken);

    /// <summary>Deletes the temporary file; nothing appears under the final name.</summary>
    void Discard();
}
