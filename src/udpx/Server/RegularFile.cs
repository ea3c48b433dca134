using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Udpx.Server;

/// <summary>
/// Opens a file for reading only if it is a regular file, and never waits to learn that it is not:
/// open(2) of a FIFO blocks until a writer comes (a TFTP read of one hung and kept its session slot for
/// good), and a device may do anything on open and never end. The type is asked of the path first
/// (statx, no symlink followed), so that a device is not even opened; the open is O_NONBLOCK and
/// O_NOFOLLOW, so that a FIFO or symlink swapped in since cannot make it wait; and the type is asked
/// again of the opened descriptor, which is what is read from.
/// </summary>
internal static partial class RegularFile
{
    /// <summary>The path names a folder, a FIFO, a socket or a device.</summary>
    public const int NotRegular = -1;

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int GetFlags = 3;
    private const int SetFlags = 4;
    private const int NonBlock = 0x800;
    private const int CloseOnExec = 0x80000;

    // O_NOFOLLOW differs between architectures (asm-generic vs x86), as in FolderHandle.
    private static int NoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>0 and a handle for reading, <see cref="NotRegular"/>, or the errno of the statx or the open.</summary>
    public static int OpenForReading(string path, out SafeFileHandle? handle)
    {
        handle = null;
        if (!OperatingSystem.IsLinux())
        {
            // Elsewhere what .NET can tell: a folder is refused, a FIFO still blocks in open(2).
            if (Directory.Exists(path))
            {
                return NotRegular;
            }
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            return 0;
        }
        Span<byte> statx = stackalloc byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, statx) != 0)
        {
            return Marshal.GetLastPInvokeError();
        }
        if (!IsRegular(statx))
        {
            return NotRegular;
        }
        int fd = OpenAt(AtFdCwd, path, NonBlock | NoFollow | CloseOnExec, 0); // O_RDONLY is 0
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }
        var opened = new SafeFileHandle(fd, ownsHandle: true);
        if (Statx(fd, string.Empty, AtEmptyPath, StatxType, statx) != 0 || !IsRegular(statx))
        {
            opened.Dispose();
            return NotRegular;
        }
        // Blocking again for the reads, which O_NONBLOCK does not change for a regular file: .NET takes a
        // non-blocking descriptor for an asynchronous one.
        int flags = Fcntl(fd, GetFlags, 0);
        if (flags < 0 || Fcntl(fd, SetFlags, flags & ~NonBlock) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            opened.Dispose();
            return error;
        }
        handle = opened;
        return 0;
    }

    private static bool IsRegular(ReadOnlySpan<byte> statx) => (MemoryMarshal.Read<ushort>(statx[28..]) & 0xF000) == 0x8000; // stx_mode & S_IFMT == S_IFREG

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int dirFd, string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
