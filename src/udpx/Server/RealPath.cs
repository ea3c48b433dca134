using System.Runtime.InteropServices;

namespace Udpx.Server;

/// <summary>
/// realpath(3): a path with every symlink, "." and ".." resolved, or null when some part of it does not
/// exist. .NET's Path.GetFullPath only tidies the text; this asks the kernel where a name really leads.
/// </summary>
internal static unsafe partial class RealPath
{
    public static string? Of(string path)
    {
        nint resolved = Resolve(path, 0);
        if (resolved == 0)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeMemory.Free((void*)resolved);
        }
    }

    /// <summary>The path an open file really has (Linux: the /proc/self/fd link), to check after open that nothing was swapped in between.</summary>
    public static string? OfOpenFile(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            return File.ResolveLinkTarget("/proc/self/fd/" + handle.DangerousGetHandle().ToInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), false)?.FullName;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Resolve(string path, nint resolved);
}
