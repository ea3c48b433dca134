using System.Runtime.InteropServices;

namespace Udpx.Common;

/// <summary>
/// Why a file or folder on this machine could not be written, in plain words ("permission denied", "no space
/// left on device"): .NET's own texts name the full path of a temporary file ("Access to the path
/// '.../.udpx-get-....udpx-part' is denied.", "No space left on device : '...'") that the user never chose.
/// </summary>
internal static class LocalWriteError
{
    public static string Reason(Exception error) => error switch
    {
        UnauthorizedAccessException => "permission denied",
        IOException { HResult: 13 or 1 } => "permission denied", // EACCES, EPERM
        IOException { HResult: 21 } => "a folder is in the way", // EISDIR
        // On Linux the HResult of a failed write is its errno; strerror(3) says it without the path.
        IOException { HResult: > 0 and < 4096 } io when OperatingSystem.IsLinux() => Lower(Marshal.GetPInvokeErrorMessage(io.HResult)),
        _ => Lower(WithoutPath(error.Message)),
    };

    // .NET appends " : 'PATH'" to an errno's text, or ends with "the path 'PATH'."
    private static string WithoutPath(string message)
    {
        int at = message.IndexOf(" : '", StringComparison.Ordinal);
        return at > 0 ? message[..at] : message.TrimEnd('.');
    }

    private static string Lower(string text) => text.Length > 1 && char.IsUpper(text[0]) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;
}
