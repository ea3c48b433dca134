using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Udpx.Common;

/// <summary>
/// Opens a file that must be a regular one, to send, to read a key from, or to serve (<see cref="OpenForReading"/>). A FIFO named as a file blocked
/// open(2) until a writer came, for ever; /dev/zero read without end and /dev/null went out as an empty file
/// that the server "verified". The type is asked before opening (following symlinks: the user named the path),
/// so that no device is ever opened, and again on the opened descriptor, which is opened with O_NONBLOCK: a
/// FIFO put in the file's place between the two cannot block the open either. O_NONBLOCK means nothing to a
/// regular file and is cleared once the type is known.
/// </summary>
internal static partial class RegularFile
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int OpenReadNonBlocking = 0x800 | 0x100 | 0x80000; // O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
    private const int SetStatusFlags = 4; // F_SETFL
    private const int SequentialAccess = 2; // POSIX_FADV_SEQUENTIAL
    private const int Interrupted = 4; // EINTR

    /// <summary>
    /// What <paramref name="path"/> is when it is not a regular file ("FIFO", "character device", "socket"...),
    /// following symlinks; null for a regular file, and for a path that names nothing (opening it says why).
    /// </summary>
    public static string? NotRegular(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Directory.Exists(path) ? "folder" : null;
        }
        Span<byte> statx = stackalloc byte[256];
        return Statx(AtFdCwd, path, 0, StatxType, statx) == 0 ? KindOf(statx) : null;
    }

    /// <summary>"not a regular file: PATH (FIFO)": the one wording of the refusal.</summary>
    public static string Refusal(string path, string kind) => "not a regular file: " + path + " (" + kind + ")";

    /// <summary>
    /// Opens <paramref name="path"/> to read, for sequential reading. Throws <see cref="IOException"/> when it is not a
    /// regular file, and the exceptions of <see cref="File.OpenHandle"/> when it cannot be opened.
    /// </summary>
    public static SafeFileHandle OpenRead(string path)
    {
        if (NotRegular(path) is { } kind)
        {
            throw new IOException(Refusal(path, kind));
        }
        if (!OperatingSystem.IsLinux())
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        }
        return OpenChecked(path);
    }

    /// <summary>The open and the check of the opened descriptor alone, without the look before (tests: the race).</summary>
    internal static SafeFileHandle OpenChecked(string path) => OpenVerified(path, followSymlinks: true, out var handle, out string? kind) switch
    {
        0 => handle!,
        NotARegularFile => throw new IOException(Refusal(path, kind!)),
        int errno => throw ErrorOf(errno, path),
    };

    /// <summary><see cref="OpenForReading"/>'s answer for a folder, a FIFO, a socket or a device.</summary>
    public const int NotARegularFile = -1;

    private const int AtSymlinkNoFollow = 0x100;

    // O_NOFOLLOW differs between architectures (asm-generic vs x86), as in FolderHandle.
    private static int NoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>
    /// For a server's reads of a path it has already resolved: 0 and a handle, <see cref="NotARegularFile"/>, or the
    /// errno of the statx or the open, never an exception. No symlink is followed, the path's type is asked first (a
    /// device is not even opened), and the open and the descriptor are checked as <see cref="OpenRead"/>'s are. A TFTP
    /// read of a FIFO in --share hung and kept its session slot for good.
    /// </summary>
    public static int OpenForReading(string path, out SafeFileHandle? handle)
    {
        handle = null;
        if (!OperatingSystem.IsLinux())
        {
            // Elsewhere what .NET can tell: a folder is refused, a FIFO still blocks in open(2).
            if (Directory.Exists(path))
            {
                return NotARegularFile;
            }
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            return 0;
        }
        Span<byte> statx = stackalloc byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, statx) != 0)
        {
            return Marshal.GetLastPInvokeError();
        }
        if (KindOf(statx) is not null)
        {
            return NotARegularFile;
        }
        return OpenVerified(path, followSymlinks: false, out handle, out _);
    }

    /// <summary>
    /// The open both entries share: O_NONBLOCK, so that a FIFO cannot make it wait; the opened descriptor's type, which
    /// is what is read from; then blocking again (O_NONBLOCK means nothing to a regular file, and .NET takes a
    /// non-blocking descriptor for an asynchronous one) and read ahead as FileOptions.SequentialScan asks. 0 and a
    /// handle, <see cref="NotARegularFile"/> and its <paramref name="kind"/>, or the errno.
    /// </summary>
    private static int OpenVerified(string path, bool followSymlinks, out SafeFileHandle? handle, out string? kind)
    {
        handle = null;
        kind = null;
        int fd;
        do
        {
            fd = Open(path, OpenReadNonBlocking | (followSymlinks ? 0 : NoFollow));
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Interrupted);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }
        var opened = new SafeFileHandle(fd, ownsHandle: true);
        Span<byte> statx = stackalloc byte[256];
        kind = Statx(fd, string.Empty, AtEmptyPath, StatxType, statx) == 0 ? KindOf(statx) : "unknown type";
        if (kind is not null)
        {
            opened.Dispose();
            return NotARegularFile;
        }
        if (SetFlags(fd, SetStatusFlags, 0) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            opened.Dispose();
            return error;
        }
        _ = Advise(fd, 0, 0, SequentialAccess);
        handle = opened;
        return 0;
    }

    private static string? KindOf(ReadOnlySpan<byte> statx) => (MemoryMarshal.Read<ushort>(statx[28..]) & 0xF000) switch // stx_mode & S_IFMT
    {
        0x8000 => null,
        0x4000 => "folder",
        0x1000 => "FIFO",
        0x2000 => "character device",
        0x6000 => "block device",
        0xC000 => "socket",
        _ => "unknown type",
    };

    /// <summary>The exception .NET's own open throws for the error, with its wording.</summary>
    private static Exception ErrorOf(int errno, string path) => errno switch
    {
        2 => new FileNotFoundException("Could not find file '" + Path.GetFullPath(path) + "'.", path), // ENOENT
        20 => new DirectoryNotFoundException("Could not find a part of the path '" + Path.GetFullPath(path) + "'."), // ENOTDIR
        1 or 13 => new UnauthorizedAccessException("Access to the path '" + Path.GetFullPath(path) + "' is denied."), // EPERM, EACCES
        6 => new IOException(Refusal(path, "socket")), // ENXIO: a socket cannot be opened
        _ => new IOException(Marshal.GetPInvokeErrorMessage(errno) + " : '" + Path.GetFullPath(path) + "'"),
    };

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    /// <summary>fcntl(2) with an int argument: F_SETFL.</summary>
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int SetFlags(int fd, int command, int flags);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int Advise(int fd, long offset, long length, int advice);
}
