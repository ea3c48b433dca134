using System.CommandLine;
using System.Security.Cryptography;
using Udpx.Common;

namespace Udpx.Cli;

/// <summary>
/// `udpx keygen FILE`: 32 random bytes for --key-file, readable by the owner only from the moment the file
/// exists (created 0600 with O_EXCL, never chmod'ed afterwards). An existing file is kept unless --force;
/// --force writes a new private file beside it and renames it over, so the old key is never half-replaced.
/// </summary>
internal static class KeygenVerb
{
    public const int KeyBytes = 32;

    public static Command Create()
    {
        var file = TypedOption.Argument("file", "Where to write the key (e.g. udpx.key); give it to both ends with --key-file", OptionValues.Path);
        var force = new Option<bool>("--force") { Description = "Replace an existing file" };
        var command = new Command("keygen", "Write a new pre-shared key: 32 random bytes in a file only its owner can read")
        {
            file, force,
        };
        command.SetAction(result => Run(result.GetValue(file)!, result.GetValue(force), Console.Out));
        return command;
    }

    internal static int Run(string path, bool force, TextWriter output)
    {
        if (Directory.Exists(path))
        {
            throw new UserError(ExitCodes.InputError, "udpx keygen: '" + path + "' is a folder; give a file name");
        }
        byte[] key = RandomNumberGenerator.GetBytes(KeyBytes);
        try
        {
            if (force)
            {
                string temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "." + Path.GetFileName(path) + ".udpx-keygen-" + Environment.ProcessId);
                try
                {
                    WriteNew(temp, key);
                    File.Move(temp, path, overwrite: true);
                }
                finally
                {
                    File.Delete(temp);
                }
            }
            else
            {
                WriteNew(path, key);
            }
        }
        catch (IOException) when (!force && (File.Exists(path) || new FileInfo(path).LinkTarget is not null))
        {
            throw new UserError(ExitCodes.InputError, "udpx keygen: '" + path + "' already exists; give --force to replace it (both ends then need the new key)");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserError(ExitCodes.InputError, "udpx keygen: cannot write '" + path + "': " + ex.Message);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
        output.WriteLine("udpx keygen: wrote " + KeyBytes + " random bytes to " + path + " (mode 0600); give it to both ends with --key-file " + path);
        return ExitCodes.Ok;
    }

    /// <summary>O_CREAT|O_EXCL with mode 0600: fails if anything, a symlink included, has the name.</summary>
    private static void WriteNew(string path, byte[] key)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        stream.Write(key);
        stream.Flush(flushToDisk: true);
    }
}
