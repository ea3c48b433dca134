using System.Text;

namespace Udpx.Ui.Text;

/// <summary>
/// A status line from parts in order of importance, two spaces apart: the first part always (cut if it
/// must be), each later part only if it fits whole; empty parts are left out.
/// </summary>
internal static class HeaderLine
{
    public const string Separator = "  ";

    public static string Fit(int width, params ReadOnlySpan<string> parts)
    {
        var line = new StringBuilder(Math.Clamp(width, 16, 256));
        foreach (string part in parts)
        {
            if (part.Length == 0)
            {
                continue;
            }
            if (line.Length == 0)
            {
                line.Append(PaneTable.Cut(part, width));
            }
            else if (line.Length + Separator.Length + part.Length <= width)
            {
                line.Append(Separator).Append(part);
            }
        }
        return line.ToString();
    }

    /// <summary>Every part, for when the width does not matter.</summary>
    public static string Join(params ReadOnlySpan<string> parts) => Fit(int.MaxValue, parts);
}
