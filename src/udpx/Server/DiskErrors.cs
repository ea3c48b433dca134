namespace Udpx.Server;

/// <summary>Recognises the errors that mean "the disk is full".</summary>
internal static class DiskErrors
{
    // ENOSPC (28) and EDQUOT (122) on Linux; ERROR_DISK_FULL (112) / ERROR_HANDLE_DISK_FULL (39) on Windows.
    // A failed preallocation (File.OpenHandle with preallocationSize) carries no error code, only
    // .NET's message "... because the disk was full.", or its resource key IO_DiskFull_Path_AllocationSize
    // in our builds (UseSystemResourceKeys).
    public static bool IsDiskFull(IOException ex)
    {
        int code = ex.HResult & 0xFFFF;
        // Windows' codes only there: on Linux 39 is ENOTEMPTY and 112 EHOSTDOWN, and a folder planted where a
        // file was to go ("directory not empty") read as a full disk.
        return (OperatingSystem.IsWindows() ? code is 112 or 39 : code is 28 or 122)
            || ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
            || ex.Message.Contains("disk was full", StringComparison.OrdinalIgnoreCase)
            || ex.Message.Contains("IO_DiskFull", StringComparison.Ordinal)
            || ex.Message.Contains("quota", StringComparison.OrdinalIgnoreCase);
    }
}
