using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>Where a server puts incoming files. A seam: the real one is <see cref="DirectoryFileStore"/>.</summary>
internal interface IFileStore
{
    /// <summary>
    /// Checks the name and claims it for this session, or says why not. Quick: it touches no disk, so the
    /// receive thread may call it; the file itself is made by <see cref="IIncomingFile.PrepareAsync"/>.
    /// </summary>
    RejectReason TryCreate(string name, long size, ulong sessionId, out IIncomingFile? file);

    /// <summary>
    /// As <see cref="TryCreate(string, long, ulong, out IIncomingFile?)"/>, for an offer that may continue a
    /// partial file this store kept: the file's preparation then finds it (<see cref="IIncomingFile.ResumeFromChunk"/>).
    /// </summary>
    RejectReason TryCreate(string name, long size, ulong sessionId, in ResumeKey resume, out IIncomingFile? file) =>
        TryCreate(name, size, sessionId, out file);

    /// <summary>Space on the filesystem the files go to (statvfs); null when it cannot be known.</summary>
    DiskSpace? GetSpace();
}

/// <summary>
/// What must match for a kept partial file to be continued: the client's identity of this version of the
/// file (0: never resume), the chunk size the digest is cut in, and whether the bytes come encrypted.
/// </summary>
internal readonly record struct ResumeKey(UInt128 Identity, int ChunkSize, bool Encrypted);

/// <summary>Bytes an unprivileged writer may still use, and the size of the filesystem.</summary>
internal readonly record struct DiskSpace(long Available, long Total)
{
    /// <summary>statvfs(3) of the folder: f_bavail (what a non-root writer may use) and the filesystem's size; null when it cannot be known.</summary>
    public static DiskSpace? Of(string directory)
    {
        try
        {
            var drive = new DriveInfo(directory);
            return new DiskSpace(drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>A file being received: made and preallocated, written at positions, then committed under its name only if its digest matches.</summary>
internal interface IIncomingFile
{
    string Name { get; }

    /// <summary>
    /// Creates the temporary file and preallocates it to the offered size, off the calling thread:
    /// <see cref="RejectReason.None"/>, or <see cref="RejectReason.DiskFull"/> / <see cref="RejectReason.IoError"/>
    /// (after which the file is already discarded).
    /// </summary>
    Task<RejectReason> PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Once prepared: the first chunk the client must send (those below are on disk already from an earlier transfer).</summary>
    ulong ResumeFromChunk => 0;

    /// <summary>Once prepared and resumed: the digest of the chunks below <see cref="ResumeFromChunk"/>, rebuilt from the disk.</summary>
    ChunkDigest? HeldDigest => null;

    /// <summary>After <see cref="PrepareAsync"/> failed with an I/O error: its cause in a few words, for the server's log (the client hears only the reason).</summary>
    string? FailureDetail => null;

    /// <summary>
    /// Every byte below <paramref name="heldBytes"/> is written: make them durable and record that they are
    /// (off the calling thread, skipped while an earlier checkpoint still runs).
    /// </summary>
    void Checkpoint(long heldBytes)
    {
    }

    /// <summary>
    /// The transfer was cut (the client went away, cancelled, or the server stops): keep the partial file
    /// and its record of <paramref name="heldBytes"/> for a later offer of the same file, or discard it
    /// where that is not possible. Off the calling thread, like <see cref="Discard"/>.
    /// </summary>
    void Suspend(long heldBytes) => Discard();

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

    /// <summary>
    /// Deletes the temporary file (once any preparation has ended) without waiting for the disk; nothing
    /// appears under the final name. Safe to call more than once.
    /// </summary>
    void Discard();
}
