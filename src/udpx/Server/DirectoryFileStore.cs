using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>
/// Stores files in one folder. Each transfer writes to a hidden temporary file beside the final name
/// (".udpx-&lt;session&gt;-&lt;name&gt;.udpx-part", created 0600 off the receive thread); only a
/// verified file gets its name. Nothing already there under that name (file, symlink, anything) is
/// replaced unless the server was told to overwrite: the offer is refused, and the final step is a hard
/// link, which fails rather than replace what appeared meanwhile. A stored file is 0644 under the umask,
/// or stays 0600 when its bytes came encrypted. Two transfers of the same name at once: the second is refused.
/// </summary>
internal sealed class DirectoryFileStore : IFileStore
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Shared = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly string _directory;
    private readonly long _maxFileSize;
    private readonly bool _overwrite;
    private readonly bool _allowHidden;
    private readonly HashSet<string> _busyNames = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _background = new();

    // 0644 under the umask; EnsureWritable learns the umask from its probe file.
    private UnixFileMode _sharedMode = Shared;

    public DirectoryFileStore(string directory, long maxFileSize = long.MaxValue, bool overwrite = false, bool allowHidden = false)
    {
        _directory = Path.GetFullPath(directory);
        _maxFileSize = maxFileSize;
        _overwrite = overwrite;
        _allowHidden = allowHidden;
    }

    public string Directory => _directory;

    /// <summary>
    /// Creates the folder if needed and proves it is writable; throws a clear error otherwise. The probe
    /// file is created as every program creates files (0666 under the umask), which tells us the umask
    /// without changing it (umask(2) can only be read by setting it, for every thread at once).
    /// </summary>
    public void EnsureWritable()
    {
        System.IO.Directory.CreateDirectory(_directory);
        // A new file of a random name (O_EXCL): a symlink planted under a guessable name is never followed.
        string probe = Path.Combine(_directory, ".udpx-probe-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N"));
        using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        if (!OperatingSystem.IsWindows())
        {
            _sharedMode = Shared & File.GetUnixFileMode(stream.SafeFileHandle);
        }
    }

    /// <summary>Removes temporary files left by an earlier run that died.</summary>
    public int RemoveStaleTemporaryFiles()
    {
        int removed = 0;
        foreach (string path in System.IO.Directory.EnumerateFiles(_directory, ".udpx-*.udpx-part"))
        {
            try
            {
                File.Delete(path);
                removed++;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return removed;
    }

    public RejectReason TryCreate(string name, long size, ulong sessionId, out IIncomingFile? file)
    {
        file = null;
        if (!FileNamePolicy.IsAcceptable(name, _allowHidden, out _))
        {
            return RejectReason.NameRejected;
        }
        if (size < 0 || size > _maxFileSize)
        {
            return RejectReason.TooLarge;
        }
        lock (_lock)
        {
            if (!_busyNames.Add(name))
            {
                return RejectReason.NameBusy;
            }
        }
        string finalPath = Path.Combine(_directory, name);
        string tempPath = Path.Combine(_directory, ".udpx-" + sessionId.ToString("x16", CultureInfo.InvariantCulture) + "-" + ShortName(name) + ".udpx-part");
        if (Path.GetDirectoryName(finalPath) != _directory.TrimEnd(Path.DirectorySeparatorChar) || System.IO.Directory.Exists(finalPath))
        {
            Release(name);
            return RejectReason.NameRejected;
        }
        if (!_overwrite && IsTaken(finalPath))
        {
            Release(name);
            return RejectReason.Exists;
        }
        // Nothing else touches the disk here: the file is made by PrepareAsync, off the receive thread.
        file = new IncomingFile(this, name, tempPath, finalPath, size);
        return RejectReason.None;
    }

    /// <summary>Anything at all under this name, a dangling symlink included (one lstat, cheap enough for the receive thread).</summary>
    private static bool IsTaken(string path)
    {
        try
        {
            return Path.Exists(path) || new FileInfo(path).LinkTarget is not null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    public DiskSpace? GetSpace() => DiskSpace.Of(_directory);

    /// <summary>
    /// Waits (up to <paramref name="timeout"/>) for the background work still running: preallocations,
    /// commits and the deletion of discarded files. Returns false if some is still running.
    /// </summary>
    public bool WaitForBackgroundWork(TimeSpan timeout)
    {
        var pending = _background.Keys.ToArray();
        try
        {
            return Task.WaitAll(pending, timeout);
        }
        catch (AggregateException)
        {
            return true;
        }
    }

    private void Track(Task task)
    {
        _background.TryAdd(task, 0);
        task.ContinueWith(static (t, state) => ((DirectoryFileStore)state!)._background.TryRemove(t, out _), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static string ShortName(string name) => name.Length <= 40 ? name : name[..40];

    private void Release(string name)
    {
        lock (_lock)
        {
            _busyNames.Remove(name);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Discard or Commit closes the stream; every file ends in one of them.")]
    private sealed class IncomingFile(DirectoryFileStore store, string name, string tempPath, string finalPath, long size) : IIncomingFile
    {
        private FileStream? _stream;
        private SafeFileHandle? _handle;
        private Task<RejectReason>? _preparing;
        private int _closed;
        private int _discarding;
        private volatile bool _encrypted;

        public string Name => name;

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
            store.Track(preparing.ContinueWith(static (_, state) => ((IncomingFile)state!).Close(), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default));
        }

        private RejectReason Prepare(CancellationToken cancellationToken)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
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
                Close();
                return RejectReason.IoError;
            }
        }

        /// <summary>Closes and deletes the temporary file and frees the name, once whoever calls it first.</summary>
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
            TryDelete(tempPath);
            store.Release(name);
        }

        private RejectReason Commit(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken)
        {
            bool claimedClose = false;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                var handle = _handle ?? throw new IOException("the file of '" + name + "' is not open");
                if (RandomAccess.GetLength(handle) != size || computed != claimed)
                {
                    Close();
                    return RejectReason.DigestMismatch;
                }
                if (!_encrypted && !OperatingSystem.IsWindows())
                {
                    // Before the name appears: nobody can open the stored file under a mode it never has.
                    File.SetUnixFileMode(handle, store._sharedMode);
                }
                if (Interlocked.Exchange(ref _closed, 1) != 0)
                {
                    return RejectReason.Cancelled;
                }
                claimedClose = true;
                _stream!.Dispose();
                if (store._overwrite)
                {
                    // rename(2) replaces a symlink at the final name rather than following it.
                    File.Move(tempPath, finalPath, overwrite: true);
                    store.Release(name);
                    return RejectReason.None;
                }
                // link(2) never replaces: whatever appeared under the name since the offer stays as it is.
                int error = HardLink.Create(tempPath, finalPath);
                CloseClaimed();
                return error switch
                {
                    0 => RejectReason.None,
                    HardLink.AlreadyExists => RejectReason.Exists,
                    _ => HardLink.IsDiskFull(error) ? RejectReason.DiskFull : RejectReason.IoError,
                };
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
}
