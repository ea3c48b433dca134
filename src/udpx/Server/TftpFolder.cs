using System.Globalization;
using Udpx.Common;
using Udpx.Tftp;

namespace Udpx.Server;

/// <summary>
/// The folders of `serve --tftp`: reads come from the share folder (--share, else --out), writes go into
/// --out under the rules of udpx transfers (<see cref="FileNamePolicy"/>; no replacing without
/// --overwrite; a temporary file that gets its name by link(2), or rename(2) with --overwrite, only once
/// every block is in). A written name is one path component: TFTP makes no subfolders, and a "/" would
/// let a symlinked folder in --out carry the file outside. The name is given relative to a
/// <see cref="FolderHandle"/> of --out, as the udpx store does. A read name may name a file in a
/// subfolder ("pxelinux.cfg/default"), but never leaves the folder: "..", absolute paths, backslashes,
/// control characters, hidden names (unless allowed) and symlinks that lead outside are refused with
/// error 2, checked on the resolved path before opening and on the opened file after. Only a regular
/// file is read: a folder, FIFO, socket or device gets error 1, found out without waiting on it
/// (<see cref="RegularFile"/>). Writes leave --min-free free (<see cref="DiskReserveStream"/>): a write
/// that announces more (tsize) is refused at once with error 3, one that does not is stopped as it
/// reaches the reserve. What the peer hears is a
/// fixed short text, never an exception's message: .NET's name the server's absolute paths. --out is the
/// udpx server's <see cref="DirectoryFileStore"/>, whose folder and rules (--overwrite, --allow-hidden) a
/// write follows.
/// </summary>
internal sealed class TftpFolder : ITftpFiles
{
    /// <summary>RFC 1350's words for error 3.</summary>
    public const string DiskFull = "disk full or allocation exceeded";

    public const string CannotWrite = "cannot write the file on the server";

    public const string NotRegular = "file not found (not a regular file)";

    public const string NotOneComponent = "access violation: a written name is one file name, without \"/\" (TFTP writes make no folders)";

    private const int Eperm = 1;
    private const int Enoent = 2;
    private const int Eacces = 13;

    private readonly string _share;
    private readonly string _shareReal;
    private readonly DirectoryFileStore _store;
    private readonly string _out;
    private readonly bool _overwrite;
    private readonly bool _allowHidden;
    private readonly DiskReserve _minFree;
    private readonly Func<string, FileStreamOptions, Stream> _openTemporary;
    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <param name="output">The store of --out that the udpx server writes into: the same folder, the same rules.</param>
    /// <param name="openTemporary">Opens a write's temporary file; a test gives one that fails as a full disk does.</param>
    public TftpFolder(string share, DirectoryFileStore output, DiskReserve? minFree = null, Func<string, FileStreamOptions, Stream>? openTemporary = null)
    {
        _minFree = minFree ?? DiskReserve.None;
        _openTemporary = openTemporary ?? (static (path, options) => new FileStream(path, options));
        _share = Path.GetFullPath(share);
        _shareReal = RealPath.Of(_share) ?? throw new DirectoryNotFoundException("no such folder: " + _share);
        _store = output;
        _out = output.Directory;
        _overwrite = output.Overwrite;
        _allowHidden = output.AllowHidden;
    }

    public string ShareDirectory => _share;

    public TftpRefusal? TryOpenRead(string name, out Stream? stream, out long length)
    {
        stream = null;
        length = 0;
        if (CheckReadName(name) is { } bad)
        {
            return new TftpRefusal(TftpError.AccessViolation, bad);
        }
        string? real = RealPath.Of(Path.Combine(_share, name));
        if (real is null)
        {
            return new TftpRefusal(TftpError.FileNotFound, "file not found");
        }
        if (!IsInside(real))
        {
            return new TftpRefusal(TftpError.AccessViolation, "access violation: the name leads outside the served folder");
        }
        try
        {
            // A folder, a FIFO (open(2) would wait for a writer for good, holding a session), a socket or a
            // device: refused, and found out without waiting.
            switch (RegularFile.OpenForReading(real, out var handle))
            {
                case 0:
                    break;
                case RegularFile.NotARegularFile:
                    return new TftpRefusal(TftpError.FileNotFound, NotRegular);
                case Enoent:
                    return new TftpRefusal(TftpError.FileNotFound, "file not found");
                case Eacces or Eperm:
                    return new TftpRefusal(TftpError.AccessViolation, "access violation: the file is not readable");
                default:
                    return new TftpRefusal(TftpError.FileNotFound, "cannot open the file");
            }
            FileStream file;
            try
            {
                file = new FileStream(handle!, FileAccess.Read, 1 << 16);
            }
            catch
            {
                handle!.Dispose();
                throw;
            }
            if (RealPath.OfOpenFile(file.SafeFileHandle) is { } opened && !IsInside(opened))
            {
                file.Dispose();
                return new TftpRefusal(TftpError.AccessViolation, "access violation: the name leads outside the served folder");
            }
            stream = file;
            length = file.Length;
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return new TftpRefusal(TftpError.AccessViolation, "access violation: the file is not readable");
        }
        catch (IOException)
        {
            return new TftpRefusal(TftpError.FileNotFound, "cannot open the file");
        }
    }

    public TftpRefusal? TryCreate(string name, long? size, out ITftpIncomingFile? file)
    {
        file = null;
        if (CheckCharacters(name) is { } bad)
        {
            return new TftpRefusal(TftpError.AccessViolation, bad);
        }
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return new TftpRefusal(TftpError.AccessViolation, NotOneComponent);
        }
        if (!FileNamePolicy.IsAcceptableComponent(name, _allowHidden, out string why))
        {
            return new TftpRefusal(TftpError.AccessViolation, "access violation: " + why);
        }
        string finalPath = Path.Combine(_out, name);
        if (!_overwrite && (Path.Exists(finalPath) || new FileInfo(finalPath).LinkTarget is not null))
        {
            return new TftpRefusal(TftpError.FileExists, "file already exists (the server replaces files only with --overwrite)");
        }
        if (Directory.Exists(finalPath))
        {
            return new TftpRefusal(TftpError.AccessViolation, "access violation: a folder has this name");
        }
        if (size is { } announced && DiskSpace.Of(_out) is { } space && space.Available - announced < _minFree.For(space.Total))
        {
            return new TftpRefusal(TftpError.DiskFull, DiskReserveStream.NoRoom);
        }
        lock (_lock)
        {
            if (!_busy.Add(name))
            {
                return new TftpRefusal(TftpError.FileExists, "a transfer of this name is already in progress");
            }
        }
        // Nothing of the client's name in it: a random name, made with O_EXCL, in --out itself. Held in the
        // store first: its sweep of stale temporary files (every --keep-partial/4) would delete it mid-write.
        string tempPath = Path.Combine(_out, ".udpx-tftp" + Guid.NewGuid().ToString("N") + ".udpx-part");
        _store.HoldTemporary(tempPath);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16 };
            if (!OperatingSystem.IsWindows())
            {
                // 0644 under the umask, as a stored udpx file.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            }
            if (size is > 0)
            {
                options.PreallocationSize = size.Value;
            }
            file = new IncomingFile(this, name, tempPath, _openTemporary(tempPath, options));
            return null;
        }
        catch (IOException ex) when (Server.DiskErrors.IsDiskFull(ex))
        {
            Release(name, tempPath);
            return new TftpRefusal(TftpError.DiskFull, DiskFull);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Release(name, tempPath);
            return new TftpRefusal(TftpError.AccessViolation, "cannot create the file on the server");
        }
    }

    /// <summary>The rules for a read name, before any disk access; null when it may be looked up.</summary>
    private string? CheckReadName(string name)
    {
        if (CheckCharacters(name) is { } bad)
        {
            return bad;
        }
        if (name.StartsWith('/'))
        {
            return "access violation: absolute paths are not served; name the file relative to the served folder";
        }
        foreach (string part in name.Split('/'))
        {
            if (part is "" or "." or "..")
            {
                return "access violation: the name has an empty, \".\" or \"..\" part";
            }
            if (part[0] == '.' && !_allowHidden)
            {
                return "access violation: hidden name (starts with \".\"); the server serves such names only with --allow-hidden";
            }
            if (part.StartsWith(".udpx-", StringComparison.Ordinal) || part.EndsWith(".udpx-part", StringComparison.Ordinal))
            {
                return "access violation: name is reserved for udpx temporary files";
            }
        }
        return null;
    }

    private static string? CheckCharacters(string name)
    {
        if (name.Length == 0)
        {
            return "access violation: empty name";
        }
        foreach (char c in name)
        {
            if (c == '\\')
            {
                return "access violation: backslashes are not allowed in names";
            }
            if (char.IsControl(c))
            {
                return "access violation: control characters (NUL included) are not allowed in names";
            }
        }
        return null;
    }

    private bool IsInside(string real) => real.StartsWith(_shareReal.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>
    /// Gives the complete temporary file its name in --out, relative to a handle of the folder: link(2),
    /// which never replaces, or rename(2) with --overwrite, which replaces a symlink there rather than
    /// follow it. 0 or the errno.
    /// </summary>
    private int Place(string tempPath, string name)
    {
        int opened = FolderHandle.Open(_out, [], create: false, out var folder);
        if (opened != 0 || folder is null)
        {
            return opened;
        }
        using (folder)
        {
            return _overwrite ? folder.RenameHere(tempPath, name) : folder.LinkHere(tempPath, name);
        }
    }

    /// <summary>The write of <paramref name="name"/> ended and its temporary file is gone (or has the name): both are free.</summary>
    private void Release(string name, string tempPath)
    {
        _store.ReleaseTemporary(tempPath);
        lock (_lock)
        {
            _busy.Remove(name);
        }
    }

    private sealed class IncomingFile(TftpFolder folder, string name, string tempPath, Stream stream) : ITftpIncomingFile
    {
        private int _ended;

        public Stream Stream { get; } = folder._minFree == DiskReserve.None ? stream : new DiskReserveStream(stream, folder._out, folder._minFree);

        public TftpRefusal? Commit()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return new TftpRefusal(TftpError.NotDefined, "the transfer already ended");
            }
            try
            {
                stream.Flush();
                // Preallocated to an announced tsize that turned out larger: cut to what arrived.
                stream.SetLength(stream.Position);
                stream.Dispose();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Close();
                return ex is IOException io ? Failed(io) : new TftpRefusal(TftpError.NotDefined, CannotWrite);
            }
            try
            {
                int error = folder.Place(tempPath, name);
                return error switch
                {
                    0 => null,
                    HardLink.AlreadyExists => new TftpRefusal(TftpError.FileExists, "file already exists (it appeared during the transfer)"),
                    _ when HardLink.IsDiskFull(error) => new TftpRefusal(TftpError.DiskFull, DiskFull),
                    _ => new TftpRefusal(TftpError.NotDefined, "cannot store the file (error " + error.ToString(CultureInfo.InvariantCulture) + ")"),
                };
            }
            finally
            {
                TryDelete(tempPath);
                folder.Release(name, tempPath);
            }
        }

        public void Discard()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Close();
            }
        }

        /// <summary>The reserve's own words for the reserve (our message, the only one safe to pass on), RFC 1350's for a full disk, else a fixed text.</summary>
        public TftpRefusal Failed(IOException error) =>
            error.Message == DiskReserveStream.NoRoom ? new TftpRefusal(TftpError.DiskFull, DiskReserveStream.NoRoom)
            : DiskErrors.IsDiskFull(error) ? new TftpRefusal(TftpError.DiskFull, DiskFull)
            : new TftpRefusal(TftpError.NotDefined, CannotWrite);

        /// <summary>
        /// Closes and deletes the temporary file and frees the name, each step whatever the one before did:
        /// on a full disk the close throws, its last flush having nowhere to go (the descriptor is closed all
        /// the same), and the file and the name must not stay behind until a restart.
        /// </summary>
        private void Close()
        {
            try
            {
                stream.Dispose();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The bytes were being thrown away.
            }
            finally
            {
                TryDelete(tempPath);
                folder.Release(name, tempPath);
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
    }
}
