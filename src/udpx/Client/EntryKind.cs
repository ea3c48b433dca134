using System.Runtime.InteropServices;

namespace Udpx.Client;

/// <summary>What a folder entry is, asked without following a symlink (statx with AT_SYMLINK_NOFOLLOW).</summary>
internal enum EntryKind
{
    Missing,
    File,
    Folder,
    Symlink,

    /// <summary>A device, a FIFO or a socket: nothing udpx sends.</summary>
    Special,
}

/// <summary>Reads the type bits of an entry's mode.</summary>
internal static partial class EntryKinds
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;

    public static EntryKind Of(string path)
    {
        Span<byte> statx = stackalloc byte[256];
        if (!OperatingSystem.IsLinux())
        {
            var info = new FileInfo(path);
            return info.LinkTarget is not null ? EntryKind.Symlink
                : Directory.Exists(path) ? EntryKind.Folder
                : info.Exists ? EntryKind.File : EntryKind.Missing;
        }
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, statx) != 0)
        {
            return EntryKind.Missing;
        }
        int type = MemoryMarshal.Read<ushort>(statx[28..]) & 0xF000; // stx_mode & S_IFMT
        return type switch
        {
            0x8000 => EntryKind.File,
            0x4000 => EntryKind.Folder,
            0xA000 => EntryKind.Symlink,
            _ => EntryKind.Special,
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, Span<byte> buffer);
}
