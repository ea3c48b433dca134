using System.Runtime.InteropServices;

namespace Udpx.Server;

/// <summary>
/// A folder under the output root, reached one component at a time with openat(2) and O_NOFOLLOW, so
/// that no symlink on the path is ever followed: a component that is a symlink (or not a folder) ends
/// the walk with <see cref="NotAFolder"/>. Missing folders are made (mkdirat, 0755 under the umask) on
/// the way. The stored file is then linked or renamed into it relative to the handle, never by a path
/// that could be redirected between the check and the use.
/// </summary>
internal sealed partial class FolderHandle : IDisposable
{
    public const int NotAFolder = -2;
    private const int AtFdCwd = -100;
    private const int Eexist = 17;
    private const int Enotdir = 20;
    private const int Eloop = 40;

    private int _fd;

    private FolderHandle(int fd) => _fd = fd;

    public int Descriptor => _fd;

    /// <summary>
    /// Opens <paramref name="root"/> (which may itself be reached through symlinks: the operator chose it),
    /// then each folder of <paramref name="folders"/> beneath it, making those missing. Returns 0 and the
    /// handle, <see cref="NotAFolder"/> when a component is a symlink or a file, or an errno.
    /// </summary>
    public static int Open(string root, ReadOnlySpan<string> folders, bool create, out FolderHandle? handle)
    {
        handle = null;
        int fd = OpenAt(AtFdCwd, root, DirectoryFlags, 0);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }
        foreach (string folder in folders)
        {
            if (create && MakeDirectoryAt(fd, folder, 0x1ED) != 0 && Marshal.GetLastPInvokeError() != Eexist)
            {
                int error = Marshal.GetLastPInvokeError();
                Close(fd);
                return error == Enotdir ? NotAFolder : error;
            }
            int next = OpenAt(fd, folder, DirectoryFlags | NoFollow, 0);
            int openError = next < 0 ? Marshal.GetLastPInvokeError() : 0;
            Close(fd);
            if (next < 0)
            {
                return openError is Eloop or Enotdir ? NotAFolder : openError;
            }
            fd = next;
        }
        handle = new FolderHandle(fd);
        return 0;
    }

    /// <summary>link(2) of <paramref name="existing"/> as <paramref name="name"/> in this folder: never replaces. 0 or the errno.</summary>
    public int LinkHere(string existing, string name) =>
        LinkAt(AtFdCwd, existing, _fd, name, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>rename(2) of <paramref name="existing"/> to <paramref name="name"/> in this folder: replaces (a symlink there is replaced, not followed).</summary>
    public int RenameHere(string existing, string name) =>
        RenameAt(AtFdCwd, existing, _fd, name) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>fsync(2) of the folder itself: a rename or link inside it survives a crash.</summary>
    public void Sync() => _ = FileSync(_fd);

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Close(fd);
        }
    }

    // O_DIRECTORY and O_NOFOLLOW differ between architectures (asm-generic vs x86).
    private static bool ArmFlags => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

    private static int DirectoryFlags => (ArmFlags ? 0x4000 : 0x10000) | 0x80000; // O_DIRECTORY | O_CLOEXEC, O_RDONLY

    private static int NoFollow => ArmFlags ? 0x8000 : 0x20000;

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int dirFd, string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeDirectoryAt(int dirFd, string path, uint mode);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkAt(int oldDirFd, string oldPath, int newDirFd, string newPath, int flags);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt(int oldDirFd, string oldPath, int newDirFd, string newPath);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FileSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
