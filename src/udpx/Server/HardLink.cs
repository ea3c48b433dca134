using System.Runtime.InteropServices;

namespace Udpx.Server;

/// <summary>
/// link(2): gives a file a second name, and fails with EEXIST if anything (a file, a dangling symlink, a
/// folder) already has that name. That makes it the no-replace commit of a stored file: unlike
/// rename(2) it can never clobber what appeared under the final name after the offer was checked.
/// Every libc has it (renameat2's RENAME_NOREPLACE is newer and missing from some musl releases, and
/// the static binary binds its libc calls at link time). A folder whose file system has no hard links
/// (vfat, some FUSE mounts) fails the commit with an I/O error; `serve --overwrite` works there.
/// </summary>
internal static partial class HardLink
{
    public const int AlreadyExists = 17; // EEXIST

    /// <summary>Links <paramref name="existing"/> as <paramref name="newPath"/>; returns 0 or the errno.</summary>
    public static int Create(string existing, string newPath)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING never replaces either.
            try
            {
                File.Move(existing, newPath, overwrite: false);
                return 0;
            }
            catch (IOException) when (Path.Exists(newPath))
            {
                return AlreadyExists;
            }
        }
        return Link(existing, newPath) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>ENOSPC or EDQUOT: a directory entry needed room the disk or the quota did not have.</summary>
    public static bool IsDiskFull(int errno) => errno is 28 or 122;

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string newPath);
}
