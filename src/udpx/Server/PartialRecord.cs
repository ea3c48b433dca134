using System.Globalization;
using System.Text;

namespace Udpx.Server;

/// <summary>
/// The sidecar of a partial file: which file it is part of (path, size, the client's identity of that
/// version, whether its bytes came encrypted) and how many bytes from the start are on disk for sure.
/// A few lines of text, written crash-safely: a temporary file, fsync, rename over the old record, fsync
/// of the folder. The bytes it counts were fsynced before it was written, so after any crash the record
/// never claims more than the disk holds; a wrong claim would only fail the digest, never store a mix.
/// </summary>
internal sealed record PartialRecord(string Name, long Size, UInt128 Identity, bool Encrypted, long HeldBytes, long UpdatedAtSeconds)
{
    private const string Header = "udpx-partial 1";

    public string Write()
    {
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append("name=").Append(Name).Append('\n');
        text.Append("size=").Append(Size.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("identity=").Append(Identity.ToString("x32", CultureInfo.InvariantCulture)).Append('\n');
        text.Append("encrypted=").Append(Encrypted ? '1' : '0').Append('\n');
        text.Append("held=").Append(HeldBytes.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("updated=").Append(UpdatedAtSeconds.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    /// <summary>Reads a record; null for anything that is not a whole, well-formed one.</summary>
    public static PartialRecord? TryParse(string text)
    {
        var lines = text.Split('\n');
        if (lines.Length < 8 || lines[0] != Header || lines[7].Length != 0)
        {
            return null;
        }
        string? Value(int line, string key) => lines[line].StartsWith(key + "=", StringComparison.Ordinal) ? lines[line][(key.Length + 1)..] : null;
        string? name = Value(1, "name");
        if (name is null
            || !long.TryParse(Value(2, "size"), NumberStyles.None, CultureInfo.InvariantCulture, out long size)
            || !UInt128.TryParse(Value(3, "identity"), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var identity)
            || Value(4, "encrypted") is not ("0" or "1")
            || !long.TryParse(Value(5, "held"), NumberStyles.None, CultureInfo.InvariantCulture, out long held)
            || !long.TryParse(Value(6, "updated"), NumberStyles.None, CultureInfo.InvariantCulture, out long updated)
            || held > size)
        {
            return null;
        }
        return new PartialRecord(name, size, identity, Value(4, "encrypted") == "1", held, updated);
    }

    /// <summary>Reads the record at <paramref name="path"/>; null when there is none or it is unreadable.</summary>
    public static PartialRecord? TryLoad(string path)
    {
        try
        {
            var info = new FileInfo(path);
            // Never follow a planted symlink, never read something that cannot be a record.
            if (!info.Exists || info.LinkTarget is not null || info.Length > 4096)
            {
                return null;
            }
            return TryParse(File.ReadAllText(path, Encoding.UTF8));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes the record at <paramref name="path"/>: temporary file, fsync, rename, fsync of the folder.</summary>
    public void Save(string path, string folder)
    {
        string temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temp, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(Write()));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        if (FolderHandle.Open(folder, [], create: false, out var handle) == 0 && handle is not null)
        {
            using (handle)
            {
                handle.Sync();
            }
        }
    }
}
