using System.Globalization;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>
/// Stores files in one folder, each under its path relative to the folder the client sent (subfolders
/// are made, through <see cref="FolderHandle"/>: no symlink on the path is followed). Each transfer
/// writes to a hidden temporary file in the root (".udpx-&lt;hash of the path&gt;.udpx-part", 0600, made
/// off the receive thread); only a verified file gets its name. Nothing already there under that name
/// (file, symlink, anything) is replaced unless the server was told to overwrite: the offer is refused,
/// and the final step is a hard link, which fails rather than replace what appeared meanwhile. A stored
/// file is 0644 under the umask, or stays 0600 when its bytes came encrypted. Two transfers of the same
/// name at once: the second is refused. A cut transfer leaves its temporary file and a
/// <see cref="PartialRecord"/> beside it (".udpx-&lt;hash&gt;.udpx-resume") for <see cref="KeepPartial"/>,
/// so that an offer of the same file continues it.
/// </summary>
internal sealed class DirectoryFileStore : IFileStore
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Shared = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly string _directory;
    private readonly long _maxFileSize;
    private readonly bool _overwrite;
    private readonly bool _allowHidden;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _busyNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _heldTemporaries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _background = new();

    // 0644 under the umask; EnsureWritable learns the umask from its probe file.
    private UnixFileMode _sharedMode = Shared;

    public DirectoryFileStore(string directory, long maxFileSize = long.MaxValue, bool overwrite = false, bool allowHidden = false, TimeSpan? keepPartial = null, TimeProvider? time = null)
    {
        _directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        _maxFileSize = maxFileSize;
        _overwrite = overwrite;
        _allowHidden = allowHidden;
        KeepPartial = keepPartial ?? TimeSpan.FromHours(24);
        _time = time ?? TimeProvider.System;
    }

    public string Directory => _directory;

    /// <summary>How long a partial file of a cut transfer is kept for a resume (--keep-partial); zero keeps none.</summary>
    public TimeSpan KeepPartial { get; }

    internal long NowSeconds => _time.GetUtcNow().ToUnixTimeSeconds();

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

    /// <summary>
    /// Removes what an earlier run (or an expired cut transfer) left: temporary files without a record,
    /// partial files whose record is older than <see cref="KeepPartial"/>, half-written records. Files of
    /// transfers in progress are left alone: a udpx transfer's by the name it holds, a TFTP write's by
    /// <see cref="HoldTemporary"/>. Returns how many files went.
    /// </summary>
    public int RemoveStaleTemporaryFiles()
    {
        int removed = 0;
        // Listed before the transfers in progress are asked: a transfer holds its temporary file before it
        // makes it and lets go only once the file is gone (or set aside beside its record, which the checks
        // below judge), so a listed file that nothing holds afterwards has no writer. Asked first, a
        // transfer that began between the two lost its new file.
        string[] listed = System.IO.Directory.GetFiles(_directory, ".udpx-*");
        HashSet<string> busy;
        HashSet<string> held;
        lock (_lock)
        {
            busy = _busyNames.Select(KeyOf).ToHashSet(StringComparer.Ordinal);
            held = new HashSet<string>(_heldTemporaries, StringComparer.Ordinal);
        }
        long now = NowSeconds;
        foreach (string path in listed)
        {
            string file = Path.GetFileName(path);
            string key = "." + file.Split('.')[1];
            if (busy.Contains(key) || held.Contains(file) || !(file.EndsWith(PartSuffix, StringComparison.Ordinal) || file.EndsWith(RecordSuffix, StringComparison.Ordinal) || file.EndsWith(RecordSuffix + ".tmp", StringComparison.Ordinal)))
            {
                continue;
            }
            if (file.EndsWith(PartSuffix, StringComparison.Ordinal))
            {
                var record = PartialRecord.TryLoad(Path.Combine(_directory, key + RecordSuffix));
                if (record is not null && KeyOf(record.Name) == key && now - record.UpdatedAtSeconds < KeepPartial.TotalSeconds)
                {
                    continue;
                }
            }
            else if (file.EndsWith(RecordSuffix, StringComparison.Ordinal) && File.Exists(Path.Combine(_directory, key + PartSuffix)))
            {
                var record = PartialRecord.TryLoad(path);
                if (record is not null && now - record.UpdatedAtSeconds < KeepPartial.TotalSeconds)
                {
                    continue;
                }
            }
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

    internal const string PartSuffix = ".udpx-part";
    internal const string RecordSuffix = ".udpx-resume";

    /// <summary>".udpx-" and a hash of the path: the temporary file and record of a name, one per name, in the root.</summary>
    internal static string KeyOf(string name) =>
        ".udpx-" + System.IO.Hashing.XxHash128.HashToUInt128(System.Text.Encoding.UTF8.GetBytes(name)).ToString("x32", CultureInfo.InvariantCulture);

    internal string TempPathOf(string name) => Path.Combine(_directory, KeyOf(name) + PartSuffix);

    internal string RecordPathOf(string name) => Path.Combine(_directory, KeyOf(name) + RecordSuffix);

    internal bool Overwrite => _overwrite;

    internal bool AllowHidden => _allowHidden;

    internal UnixFileMode SharedMode => _sharedMode;

    public RejectReason TryCreate(string name, long size, ulong sessionId, out IIncomingFile? file) =>
        TryCreate(name, size, sessionId, default, out file);

    public RejectReason TryCreate(string name, long size, ulong sessionId, in ResumeKey resume, out IIncomingFile? file)
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
        if (!IsInsideRoot(finalPath) || System.IO.Directory.Exists(finalPath) || !FoldersOnPathAreReal(name))
        {
            Release(name);
            return RejectReason.NameRejected;
        }
        if (!_overwrite && IsTaken(finalPath))
        {
            Release(name);
            return RejectReason.Exists;
        }
        // Nothing else touches the disk here: the file is made (or the partial one found) by PrepareAsync, off the receive thread.
        file = new IncomingFile(this, name, TempPathOf(name), RecordPathOf(name), size, resume);
        return RejectReason.None;
    }

    private bool IsInsideRoot(string path)
    {
        string full = Path.GetFullPath(path);
        return full.StartsWith(_directory + Path.DirectorySeparatorChar, StringComparison.Ordinal) && full.Length > _directory.Length + 1;
    }

    /// <summary>Every folder already on the path is a folder, not a symlink or a file (one lstat each; the commit checks again with openat).</summary>
    private bool FoldersOnPathAreReal(string name)
    {
        string current = _directory;
        var parts = name.Split('/');
        for (int i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null || (info.Exists && !info.Attributes.HasFlag(FileAttributes.Directory)))
            {
                return false;
            }
            if (!System.IO.Directory.Exists(current))
            {
                return true; // made at the commit
            }
        }
        return true;
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

    internal void Track(Task task)
    {
        _background.TryAdd(task, 0);
        task.ContinueWith(static (t, state) => ((DirectoryFileStore)state!)._background.TryRemove(t, out _), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// The temporary file at <paramref name="path"/>, in this folder, is a TFTP write's (a random name that
    /// no record describes): the sweep leaves it alone until <see cref="ReleaseTemporary"/>. Held before
    /// the file is made, released after it is deleted or has its name. The holding is in memory, as the udpx
    /// protocol's names are, not in the file's age: a TFTP write may sit without a block for its whole
    /// timeout and retries, and with --keep-partial 0 the sweep runs every second, so no age tells a slow
    /// write from an abandoned one; a crash, on the other hand, takes every hold with it, and the next
    /// sweep removes what the crashed run left.
    /// </summary>
    internal void HoldTemporary(string path)
    {
        lock (_lock)
        {
            _heldTemporaries.Add(Path.GetFileName(path));
        }
    }

    internal void ReleaseTemporary(string path)
    {
        lock (_lock)
        {
            _heldTemporaries.Remove(Path.GetFileName(path));
        }
    }

    internal void Release(string name)
    {
        lock (_lock)
        {
            _busyNames.Remove(name);
        }
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
