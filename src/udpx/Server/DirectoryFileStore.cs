using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Udpx.Engine;
using Udpx.Protocol;

namespace Udpx.Server;

/// <summary>
/// Stores files in one folder. Each transfer writes to a hidden temporary file beside the final name
/// (".udpx-&lt;session&gt;-&lt;name&gt;.udpx-part"); only a verified file is renamed to its name. Two
/// transfers of the same name at once: the second is refused. The same name sent again later replaces
/// the earlier file atomically.
/// </summary>
internal sealed class DirectoryFileStore : IFileStore
{
    private readonly string _directory;
    private readonly long _maxFileSize;
    private readonly HashSet<string> _busyNames = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public DirectoryFileStore(string directory, long maxFileSize = long.MaxValue)
    {
        _directory = Path.GetFullPath(directory);
        _maxFileSize = maxFileSize;
    }

    public string Directory => _directory;

    /// <summary>Creates the folder if needed and proves it is writable; throws a clear error otherwise.</summary>
    public void EnsureWritable()
    {
        System.IO.Directory.CreateDirectory(_directory);
        string probe = Path.Combine(_directory, ".udpx-probe-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        using (File.Create(probe, 1, FileOptions.DeleteOnClose))
        {
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
        if (!FileNamePolicy.IsAcceptable(name, out _))
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
        try
        {
            var handle = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, preallocationSize: size);
            file = new IncomingFile(this, name, tempPath, finalPath, handle, size);
            return RejectReason.None;
        }
        catch (IOException ex) when (DiskErrors.IsDiskFull(ex))
        {
            TryDelete(tempPath);
            Release(name);
            return RejectReason.DiskFull;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(tempPath);
            Release(name);
            return RejectReason.IoError;
        }
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

    private sealed class IncomingFile(DirectoryFileStore store, string name, string tempPath, string finalPath, SafeFileHandle handle, long size) : IIncomingFile
    {
        private int _closed;

        public string Name => name;

        public void Write(long offset, ReadOnlySpan<byte> bytes) => RandomAccess.Write(handle, bytes, offset);

        public Task<RejectReason> CommitAsync(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken) =>
            Task.Run(() => Commit(claimed, computed, cancellationToken), cancellationToken);

        public void Discard()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }
            handle.Dispose();
            TryDelete(tempPath);
            store.Release(name);
        }

        private RejectReason Commit(UInt128 claimed, UInt128 computed, CancellationToken cancellationToken)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (RandomAccess.GetLength(handle) != size || computed != claimed)
                {
                    Discard();
                    return RejectReason.DigestMismatch;
                }
                if (Interlocked.Exchange(ref _closed, 1) != 0)
                {
                    return RejectReason.Cancelled;
                }
                handle.Dispose();
                // rename(2) replaces a symlink at the final name rather than following it.
                File.Move(tempPath, finalPath, overwrite: true);
                store.Release(name);
                return RejectReason.None;
            }
            catch (OperationCanceledException)
            {
                Discard();
                return RejectReason.Cancelled;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Discard();
                return ex is IOException io && DiskErrors.IsDiskFull(io) ? RejectReason.DiskFull : RejectReason.IoError;
            }
        }
    }
}
