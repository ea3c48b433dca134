using System.Text;

namespace Udpx.Server;

/// <summary>
/// What a client may call its file. A name is a relative path of components joined by "/" (a file sent
/// from a folder keeps its place in the tree): at most <see cref="Protocol.Wire.MaxPathBytes"/> UTF-8
/// bytes and <see cref="Protocol.Wire.MaxPathDepth"/> components, none empty. Each component: no
/// backslash, no parent or self reference, no control characters (NUL included), at most 255 UTF-8
/// bytes, and not hidden (starting with ".") unless the server allows it: a client must not be able to
/// plant ".bashrc" or ".ssh" in a home folder (tftp-hpa's rule). Anything else is refused, never rewritten.
/// </summary>
internal static class FileNamePolicy
{
    public static bool IsAcceptable(string name, bool allowHidden, out string why)
    {
        if (string.IsNullOrEmpty(name))
        {
            why = "empty name";
            return false;
        }
        if (Encoding.UTF8.GetByteCount(name) > Protocol.Wire.MaxPathBytes)
        {
            why = "path longer than " + Protocol.Wire.MaxPathBytes + " bytes";
            return false;
        }
        if (name[0] == '/')
        {
            why = "absolute path";
            return false;
        }
        int depth = 0;
        foreach (var range in name.AsSpan().Split('/'))
        {
            if (++depth > Protocol.Wire.MaxPathDepth)
            {
                why = "path deeper than " + Protocol.Wire.MaxPathDepth + " components";
                return false;
            }
            if (!IsAcceptableComponent(name[range], allowHidden, out why))
            {
                return false;
            }
        }
        why = string.Empty;
        return true;
    }

    /// <summary>One component of a path: a folder or the file's own name.</summary>
    public static bool IsAcceptableComponent(string name, bool allowHidden, out string why)
    {
        if (name.Length == 0)
        {
            why = "empty path component";
            return false;
        }
        if (Encoding.UTF8.GetByteCount(name) > Protocol.Wire.MaxNameBytes)
        {
            why = "name longer than 255 bytes";
            return false;
        }
        if (name is "." or "..")
        {
            why = "name is a directory reference";
            return false;
        }
        foreach (char c in name)
        {
            if (c is '/' or '\\')
            {
                why = "name contains a path separator";
                return false;
            }
            if (char.IsControl(c))
            {
                why = "name contains a control character";
                return false;
            }
        }
        if (name.StartsWith(".udpx-", StringComparison.Ordinal) || name.EndsWith(".udpx-part", StringComparison.Ordinal))
        {
            why = "name is reserved for udpx temporary files";
            return false;
        }
        if (!allowHidden && name[0] == '.')
        {
            why = "hidden name (starts with \".\"); the server accepts such names only with --allow-hidden";
            return false;
        }
        why = string.Empty;
        return true;
    }
}
