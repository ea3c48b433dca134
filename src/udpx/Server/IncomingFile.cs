using Microsoft.Win32.SafeHandles;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>
/// One file of a <see cref="DirectoryFileStore"/> being received: its temporary file (new, or the partial
/// file of an earlier cut transfer of the same version), written at positions, checkpointed, then
/// committed under its name only if the digest matches, or set aside for a resume.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Discard, Suspend or Commit closes the stream; every file ends in one of them.")]
internal sealed class IncomingFile(DirectoryFileStore store, string name, string tempPath, string recordPath, long size, ResumeKey resume) : IIncomingFile
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private FileStream? _stream;
    private SafeFileHandle? _handle;
    private Task<RejectReason>? _preparing;
    private Task _checkpoint = Task.CompletedTask;
    private int _closed;
    private int _discarding;
    private volatile bool _encrypted;

    public string Name => name;

    public ulong ResumeFromChunk { get; private set; }

    public ChunkDigest? HeldDigest { get; private set; }

    public string? FailureDetail { get; private set; }

    public void MarkEncrypted() => _encrypted = true;

    public Task<RejectReason> PrepareAsync(CancellationToken cancellationToken)
    {
        var preparing = Task.Run(() => Prepare(cancellationToken), CancellationToken.None);
        _preparing = preparing;
        store.Track(preparing);
        return preparing;
    }

    public void Write(long offset, ReadOnlySpan<byte> bytes) =>
        RandomAccess.Write(_handle ?? throw new IOException("the file of '" + name + "' is not open"), bytes, offset);

    public void Checkpoint(long heldBytes)
    {
        if (!_checkpoint.IsCompleted || resume.Identity == 0 || store.KeepPartial <= TimeSpan.Zero || Volatile.Read(ref _closed) != 0)
        {
            return;
        }
        _checkpoint = Task.Run(() => SaveRecord(heldBytes));
        store.Track(_checkpoint);
    }

    public Task<RejectReason> CommitAsync(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken)
    {
        var commit = Task.Run(() => Commit(claimed, computed, cancellationToken), CancellationToken.None);
        store.Track(commit);
        return commit;
    }

    public void Discard()
    {
        if (Interlocked.Exchange(ref _discarding, 1) != 0)
        {
            return;
        }
        // Closing and unlinking a large preallocated file can take a while: never on the caller's thread,
        // and only once a preparation still running has ended (it may be about to open the handle).
        var preparing = _preparing ?? Task.FromResult(RejectReason.None);
        store.Track(Task.WhenAll(preparing, _checkpoint).ContinueWith(static (_, state) => ((IncomingFile)state!).Close(), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default));
    }

    public void Suspend(long heldBytes)
    {
        if (resume.Identity == 0 || store.KeepPartial <= TimeSpan.Zero || heldBytes <= 0)
        {
            Discard();
            return;
        }
        if (Interlocked.Exchange(ref _discarding, 1) != 0)
        {
            return;
        }
        var preparing = _preparing ?? Task.FromResult(RejectReason.None);
        store.Track(Task.WhenAll(preparing, _checkpoint).ContinueWith(static (t, state) =>
        {
            var (file, held) = ((IncomingFile, long))state!;
            file.SetAside(held);
        }, (this, heldBytes), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default));
    }

    private void SetAside(long heldBytes)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        try
        {
            if (_handle is not null)
            {
                SaveRecordClaimed(heldBytes);
            }
            _stream?.Dispose();
            if (_handle is null)
            {
                DirectoryFileStore.TryDelete(tempPath);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _stream?.Dispose();
            DirectoryFileStore.TryDelete(tempPath);
            DirectoryFileStore.TryDelete(recordPath);
        }
        store.Release(name);
    }

    private void SaveRecord(long heldBytes)
    {
        try
        {
            if (Volatile.Read(ref _closed) == 0)
            {
                SaveRecordClaimed(heldBytes);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // A checkpoint is an optimisation: without it a resume starts from an earlier point.
        }
    }

    /// <summary>The bytes first (fsync of the data), then the record that counts them.</summary>
    private void SaveRecordClaimed(long heldBytes)
    {
        _stream!.Flush(flushToDisk: true);
        new PartialRecord(name, size, resume.Identity, resume.Encrypted, heldBytes, store.NowSeconds).Save(recordPath, store.Directory);
    }

    private RejectReason Prepare(CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (TryReopenPartial())
                {
                    return RejectReason.None;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // An unreadable partial file is no reason to refuse the transfer: it starts over.
                HeldDigest = null;
                ResumeFromChunk = 0;
            }
            // A partial file of another version (or none): it never mixes with these bytes.
            DirectoryFileStore.TryDelete(recordPath);
            DirectoryFileStore.TryDelete(tempPath);
            DiscardFolderAtTempPath();
            // 0600 from the first byte: the bytes may be a decrypted file, and a mode changed after
            // open(2) would not stop a reader who opened the file in between.
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = 0,
                PreallocationSize = size,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = Private;
            }
            _stream = new FileStream(tempPath, options);
            _handle = _stream.SafeFileHandle;
            return RejectReason.None;
        }
        catch (OperationCanceledException)
        {
            Close();
            return RejectReason.Cancelled;
        }
        catch (IOException ex) when (DiskErrors.IsDiskFull(ex))
        {
            Close();
            return RejectReason.DiskFull;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            FailureDetail ??= ex.Message;
            Close();
            return RejectReason.IoError;
        }
    }

    /// <summary>
    /// A folder at the temporary file's name (planted: udpx makes only files there) would refuse this name for
    /// good, so an empty one goes as an unusable partial file does. One with entries stays, and the refusal says
    /// so: emptying it would mean walking a tree that can be swapped for a symlink meanwhile.
    /// </summary>
    private void DiscardFolderAtTempPath()
    {
        var info = new DirectoryInfo(tempPath);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return;
        }
        try
        {
            // rmdir(2): removes only an empty folder, and follows no symlink.
            info.Delete(recursive: false);
        }
        catch (IOException)
        {
            // Thrown anew with the words the server's log gives the refusal.
            FailureDetail = "a folder with files in it holds the partial file's name " + Path.GetFileName(tempPath) + " in --out; remove it";
            throw new IOException(FailureDetail);
        }
    }

    /// <summary>
    /// Opens the partial file of an earlier transfer when its record names this very file (path, size,
    /// identity, encryption) and has not expired, and rebuilds the digest of the chunks it holds from the
    /// disk. False when there is nothing to continue.
    /// </summary>
    private bool TryReopenPartial()
    {
        if (resume.Identity == 0 || resume.ChunkSize <= 0 || store.KeepPartial <= TimeSpan.Zero)
        {
            return false;
        }
        var record = PartialRecord.TryLoad(recordPath);
        if (record is null || record.Name != name || record.Size != size || record.Identity != resume.Identity
            || record.Encrypted != resume.Encrypted || store.NowSeconds - record.UpdatedAtSeconds >= store.KeepPartial.TotalSeconds)
        {
            return false;
        }
        var info = new FileInfo(tempPath);
        // Preallocation keeps the apparent size at what was written: at least what the record counts.
        if (!info.Exists || info.LinkTarget is not null || info.Length < record.HeldBytes || info.Length > size)
        {
            return false;
        }
        var stream = new FileStream(tempPath, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0 });
        try
        {
            ulong total = size == 0 ? 0 : (ulong)((size + resume.ChunkSize - 1) / resume.ChunkSize);
            ulong chunks = record.HeldBytes == size ? total : (ulong)(record.HeldBytes / resume.ChunkSize);
            HeldDigest = DigestOfPrefix(stream.SafeFileHandle, chunks);
            ResumeFromChunk = chunks;
            _stream = stream;
            _handle = stream.SafeFileHandle;
            return true;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The chunk hashes of the first <paramref name="chunks"/> chunks on disk, in order: the running digest state.</summary>
    private ChunkDigest DigestOfPrefix(SafeFileHandle handle, ulong chunks)
    {
        var digest = new ChunkDigest();
        int chunkSize = resume.ChunkSize;
        int perRead = Math.Max(1, (1 << 20) / chunkSize);
        byte[] buffer = new byte[perRead * chunkSize];
        long offset = 0;
        while (digest.Chunks < chunks)
        {
            int want = (int)Math.Min((ulong)perRead, chunks - digest.Chunks);
            int length = (int)Math.Min((long)want * chunkSize, size - offset);
            int read = 0;
            while (read < length)
            {
                int n = RandomAccess.Read(handle, buffer.AsSpan(read, length - read), offset + read);
                if (n == 0)
                {
                    throw new IOException("partial file shorter than its record");
                }
                read += n;
            }
            for (int at = 0; at < length; at += chunkSize)
            {
                digest.Append(Checksum.HashPayload(buffer.AsSpan(at, Math.Min(chunkSize, length - at))));
            }
            offset += length;
        }
        return digest;
    }

    /// <summary>Closes and deletes the temporary file and its record, and frees the name, once whoever calls it first.</summary>
    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            CloseClaimed();
        }
    }

    private void CloseClaimed()
    {
        _stream?.Dispose();
        DirectoryFileStore.TryDelete(tempPath);
        DirectoryFileStore.TryDelete(recordPath);
        store.Release(name);
    }

    private RejectReason Commit(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken)
    {
        bool claimedClose = false;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            _checkpoint.Wait(cancellationToken);
            var handle = _handle ?? throw new IOException("the file of '" + name + "' is not open");
            if (RandomAccess.GetLength(handle) != size || computed != claimed)
            {
                Close();
                return RejectReason.DigestMismatch;
            }
            if (!_encrypted && !OperatingSystem.IsWindows())
            {
                // Before the name appears: nobody can open the stored file under a mode it never has.
                File.SetUnixFileMode(handle, store.SharedMode);
            }
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return RejectReason.Cancelled;
            }
            claimedClose = true;
            _stream!.Dispose();
            var parts = name.Split('/');
            int opened = FolderHandle.Open(store.Directory, parts.AsSpan(0, parts.Length - 1), create: true, out var folder);
            if (opened != 0 || folder is null)
            {
                CloseClaimed();
                return opened == FolderHandle.NotAFolder ? RejectReason.NameRejected : HardLink.IsDiskFull(opened) ? RejectReason.DiskFull : RejectReason.IoError;
            }
            using (folder)
            {
                // rename(2) replaces a symlink at the final name rather than following it;
                // link(2) never replaces: whatever appeared under the name since the offer stays as it is.
                int error = store.Overwrite ? folder.RenameHere(tempPath, parts[^1]) : folder.LinkHere(tempPath, parts[^1]);
                CloseClaimed();
                return error switch
                {
                    0 => RejectReason.None,
                    HardLink.AlreadyExists => RejectReason.Exists,
                    _ => HardLink.IsDiskFull(error) ? RejectReason.DiskFull : RejectReason.IoError,
                };
            }
        }
        catch (OperationCanceledException)
        {
            Close();
            return RejectReason.Cancelled;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (claimedClose)
            {
                CloseClaimed();
            }
            else
            {
                Close();
            }
            return ex is IOException io && DiskErrors.IsDiskFull(io) ? RejectReason.DiskFull : RejectReason.IoError;
        }
    }
}
