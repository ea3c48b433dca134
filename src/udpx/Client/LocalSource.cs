using Udpx.Common;
using Udpx.Protocol;

namespace Udpx.Client;

/// <summary>A local file given to send, checked before anything goes on the wire.</summary>
internal static class LocalSource
{
    /// <summary>
    /// The file as a source; a folder, a FIFO, device or socket, a missing or unreadable file, or a name too long
    /// for the wire is a <see cref="UserError"/> (exit code 3), the path in it escaped (it can hold a terminal's escape sequences).
    /// </summary>
    public static SourceFile Open(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UserError(ExitCodes.InputError, "'" + SafeText.Escape(path) + "' is a folder; give files");
        }
        if (!File.Exists(path))
        {
            throw new UserError(ExitCodes.InputError, NamesAnUndecodableEntry(path)
                ? "name is not valid UTF-8: " + SafeText.Escape(path) + " (udpx sends names as UTF-8; rename the file)"
                : "file not found: " + SafeText.Escape(path));
        }
        if (RegularFile.NotRegular(path) is { } kind)
        {
            throw new UserError(ExitCodes.InputError, RegularFile.Refusal(SafeText.Escape(path), kind));
        }
        long length;
        try
        {
            using var handle = RegularFile.OpenRead(path);
            length = RandomAccess.GetLength(handle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserError(ExitCodes.InputError, SafeText.Escape("cannot read " + path + ": " + ex.Message));
        }
        string name = Path.GetFileName(path);
        if (System.Text.Encoding.UTF8.GetByteCount(name) > Wire.MaxNameBytes)
        {
            throw new UserError(ExitCodes.InputError, "file name longer than " + Wire.MaxNameBytes + " bytes: " + SafeText.Escape(path));
        }
        return new SourceFile(Path.GetFullPath(path), name, length);
    }

    /// <summary>
    /// A name as .NET decoded it from a folder listing or argv, when its bytes were not UTF-8: each bad byte is
    /// U+FFFD, which re-encodes to other bytes, so no path reaches the entry. A caller also knows the name
    /// reached nothing.
    /// </summary>
    public static bool IsUndecodable(string name) => name.Contains('\uFFFD', StringComparison.Ordinal);

    /// <summary>
    /// True when <paramref name="path"/>, which reaches nothing, has an undecodable component that its nearest
    /// existing folder does list: the file is there, under a name that is not UTF-8, not missing.
    /// </summary>
    private static bool NamesAnUndecodableEntry(string path)
    {
        if (!IsUndecodable(path))
        {
            return false;
        }
        string child = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        for (string? folder = Path.GetDirectoryName(child); folder is not null; child = folder, folder = Path.GetDirectoryName(folder))
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }
            try
            {
                return IsUndecodable(Path.GetFileName(child)) && Directory.EnumerateFileSystemEntries(folder).Contains(child, StringComparer.Ordinal);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
        return false;
    }
}
