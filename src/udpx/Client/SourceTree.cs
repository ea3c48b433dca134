using System.Text;
using Udpx.Common;
using Udpx.Protocol;

namespace Udpx.Client;

/// <summary>
/// What `udpx send` was given, as files: a file as itself, a folder as every regular file beneath it,
/// named by its path relative to that folder ("sub/dir/file"). Inside a folder no symlink is followed
/// (neither to a file nor to a folder: it is listed as skipped); devices, FIFOs, sockets, names that are
/// not UTF-8 (the wire's names are UTF-8) and what the wire cannot carry (a backslash or a control character,
/// a path too long or too deep) are skipped, each with its reason, and the rest is sent; and empty folders are counted but not sent (udpx sends files; a folder appears on the server when a
/// file in it is stored). What is named on the command line itself is followed: the user chose it.
/// </summary>
internal sealed class SourceTree
{
    private readonly List<SourceFile> _files = [];
    private readonly List<string> _skipped = [];

    public IReadOnlyList<SourceFile> Files => _files;

    /// <summary>Entries not sent, each as "path (why)".</summary>
    public IReadOnlyList<string> Skipped => _skipped;

    public int EmptyFolders { get; private set; }

    /// <summary>
    /// Adds a command-line argument (a file or a folder) as group <paramref name="group"/>; throws <see cref="UserError"/>
    /// for a named file that cannot be sent and for a folder that cannot be read. Paths in messages are escaped: a
    /// name can hold a terminal's escape sequences.
    /// </summary>
    public void Add(string path, int group)
    {
        if (Directory.Exists(path))
        {
            int before = _files.Count;
            Walk(Path.GetFullPath(path), string.Empty, group, depth: 1);
            if (_files.Count == before)
            {
                _skipped.Add(path + " (no regular file in it)");
            }
            return;
        }
        _files.Add(LocalSource.Open(path) with { Group = group });
    }

    private void Walk(string folder, string prefix, int group, int depth)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserError(ExitCodes.InputError, SafeText.Escape("cannot read folder " + folder + ": " + ex.Message));
        }
        bool any = false;
        foreach (string entry in entries)
        {
            any = true;
            string component = Path.GetFileName(entry);
            string name = prefix + component;
            switch (EntryKinds.Of(entry))
            {
                case EntryKind.File:
                    if (Unsendable(entry, name, depth) is { } fileReason)
                    {
                        _skipped.Add(entry + " (" + fileReason + ")");
                        break;
                    }
                    CheckReadable(entry);
                    _files.Add(new SourceFile(entry, name, new FileInfo(entry).Length, group));
                    break;
                case EntryKind.Folder:
                    // Listed once for all beneath it: the limit that stops it stops every file in it too.
                    if (Unsendable(entry, name, depth + 1) is { } folderReason)
                    {
                        _skipped.Add(entry + " (" + folderReason + ")");
                        break;
                    }
                    Walk(entry, name + "/", group, depth + 1);
                    break;
                case EntryKind.Symlink:
                    _skipped.Add(entry + " (symlink, not followed)");
                    break;
                case EntryKind.Special:
                    _skipped.Add(entry + " (device, FIFO or socket)");
                    break;
                case EntryKind.Missing:
                    // Listed, yet no path reaches it: .NET read bytes that are not UTF-8 as U+FFFD, and the
                    // name, re-encoded, is another one. Otherwise it went away while the folder was read.
                    _skipped.Add(entry + (LocalSource.IsUndecodable(component) ? " (name is not valid UTF-8)" : " (gone while the folder was read)"));
                    break;
            }
        }
        if (!any && prefix.Length > 0)
        {
            EmptyFolders++;
        }
    }

    /// <summary>Why the wire cannot carry this entry (docs/protocol.md, offers), or null when it can.</summary>
    private static string? Unsendable(string path, string name, int depth)
    {
        if (Encoding.UTF8.GetByteCount(name) > Wire.MaxPathBytes || depth > Wire.MaxPathDepth)
        {
            return "path too long to send: at most " + Wire.MaxPathBytes + " bytes and " + Wire.MaxPathDepth + " levels below the folder";
        }
        if (Encoding.UTF8.GetByteCount(Path.GetFileName(path)) > Wire.MaxNameBytes)
        {
            return "file name longer than " + Wire.MaxNameBytes + " bytes";
        }
        if (path.Contains('\\', StringComparison.Ordinal) || name.Any(char.IsControl))
        {
            return "name with a backslash or a control character";
        }
        return null;
    }

    private static void CheckReadable(string path)
    {
        try
        {
            // A FIFO put in the place of the file the walk saw must not block the walk.
            using (RegularFile.OpenRead(path))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserError(ExitCodes.InputError, SafeText.Escape("cannot read " + path + ": " + ex.Message));
        }
    }
}
