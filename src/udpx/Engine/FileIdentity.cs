using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Udpx.Engine;

/// <summary>
/// What names one version of a file, sent in the Offer so that a server continues a partial file only
/// with the very bytes it was made of: XxHash128 over the size, the device and inode, and the
/// modification and status-change times to the nanosecond (statx(2) of the open handle). Any write
/// changes the mtime and the ctime; setting the mtime back (touch -d, rsync -t) still changes the ctime,
/// which no unprivileged call can set; a file replaced by another (a new copy, a rename over it) has
/// another inode. Reading the file instead (a hash of its first and last chunks) would miss a change in
/// the middle and cost a read of a file the sender may not need to read at all. Never 0 (0 means
/// "do not resume").
/// </summary>
internal static partial class FileIdentity
{
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;

    public static UInt128 Of(SafeFileHandle handle)
    {
        Span<byte> statx = stackalloc byte[256];
        Span<byte> key = stackalloc byte[8 * 8];
        if (OperatingSystem.IsLinux() && Statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxBasicStats, statx) == 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(key, MemoryMarshal.Read<ulong>(statx[40..]));         // stx_size
            BinaryPrimitives.WriteUInt64LittleEndian(key[8..], MemoryMarshal.Read<ulong>(statx[32..]));    // stx_ino
            BinaryPrimitives.WriteUInt64LittleEndian(key[16..], MemoryMarshal.Read<ulong>(statx[136..]));  // stx_dev_major, minor
            BinaryPrimitives.WriteUInt64LittleEndian(key[24..], MemoryMarshal.Read<ulong>(statx[112..]));  // stx_mtime.tv_sec
            BinaryPrimitives.WriteUInt64LittleEndian(key[32..], MemoryMarshal.Read<uint>(statx[120..]));   // stx_mtime.tv_nsec
            BinaryPrimitives.WriteUInt64LittleEndian(key[40..], MemoryMarshal.Read<ulong>(statx[96..]));   // stx_ctime.tv_sec
            BinaryPrimitives.WriteUInt64LittleEndian(key[48..], MemoryMarshal.Read<uint>(statx[104..]));   // stx_ctime.tv_nsec
        }
        else
        {
            BinaryPrimitives.WriteInt64LittleEndian(key, RandomAccess.GetLength(handle));
            BinaryPrimitives.WriteInt64LittleEndian(key[8..], File.GetLastWriteTimeUtc(handle).Ticks);
        }
        var identity = XxHash128.HashToUInt128(key);
        return identity == 0 ? 1 : identity;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, Span<byte> buffer);
}
