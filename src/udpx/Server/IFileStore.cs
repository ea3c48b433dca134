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

    /// <summary>True when <see cref="Read"/> can give back what was written (for hashing as data arrives).</summary>
    bool CanReadBack => false;

    /// <summary>Reads back written bytes; only when <see cref="CanReadBack"/>.</summary>
    int Read(long offset, Span<byte> destination) => throw new NotSupportedException();

    /// <summary>Checks the digest and, if it matches, moves the file under its final name.</summary>
    Task<RejectReason> CommitAsync(UInt128 digest, CancellationToken cancellationToken);

    /// <summary>
    /// Commits a file whose digest the server already computed while receiving; the store then need not
    /// read it all back. Stores that cannot trust that fall back to <see cref="CommitAsync(UInt128, CancellationToken)"/>.
    /// </summary>
    Task<RejectReason> CommitAsync(UInt128 digest, UInt128 computed, CancellationToken cancellationToken) =>
        CommitAsync(digest, cancellationToken);

    /// <summary>Deletes the temporary file; nothing appears under the final name.</summary>
    void Discard();
}
