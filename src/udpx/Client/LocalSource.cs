using Udpx.Common;
using Udpx.Protocol;

namespace Udpx.Client;

/// <summary>A local file given to send, checked before anything goes on the wire.</summary>
internal static class LocalSource
{
    /// <summary>
    /// The file as a source; a folder, a FIFO, device or socket, a missing or unreadable file, or a name too long
    /// for the wire is a <see cref="UserError"/> (exit code 3).
    /// </summary>
    public static SourceFile Open(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UserError(ExitCodes.InputError, "'" + path + "' is a folder; give files");
        }
        if (!File.Exists(path))
        {
            throw new UserError(ExitCodes.InputError, "file not found: " + path);
        }
        if (RegularFile.NotRegular(path) is { } kind)
        {
            throw new UserError(ExitCodes.InputError, RegularFile.Refusal(path, kind));
        }
        long length;
        try
        {
            using var handle = RegularFile.OpenRead(path);
            length = RandomAccess.GetLength(handle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserError(ExitCodes.InputError, "cannot read " + path + ": " + ex.Message);
        }
        string name = Path.GetFileName(path);
        if (System.Text.Encoding.UTF8.GetByteCount(name) > Wire.MaxNameBytes)
        {
            throw new UserError(ExitCodes.InputError, "file name longer than " + Wire.MaxNameBytes + " bytes: " + path);
        }
        return new SourceFile(Path.GetFullPath(path), name, length);
    }
}
