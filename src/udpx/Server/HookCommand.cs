using System.Text;

namespace Udpx.Server;

/// <summary>
/// The program `serve --on-file CMD` runs for each stored file, and its first arguments: CMD split into
/// words the way a shell splits a simple command, and nothing more. Blanks (space, tab) separate words;
/// 'single quotes' keep everything up to the next single quote as it is; "double quotes" keep blanks,
/// and inside them a backslash escapes only " and \; outside quotes a backslash keeps the next character
/// as it is. No variables, globs, pipes, redirections or `;`: they are ordinary characters of a word, and
/// no shell ever runs (write `sh -c '...'` to ask for one). The stored file's path is added as the last
/// argument when it runs, as a separate argv element.
/// </summary>
internal sealed class HookCommand
{
    private HookCommand(string text, string[] words)
    {
        Text = text;
        Program = words[0];
        Arguments = words[1..];
    }

    /// <summary>CMD as given.</summary>
    public string Text { get; }

    /// <summary>The first word: a path, or a name looked up in PATH.</summary>
    public string Program { get; }

    /// <summary>The words after the first.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Splits <paramref name="text"/>; false with the reason when it has no word or an unclosed quote.</summary>
    public static bool TryParse(string text, out HookCommand? command, out string error)
    {
        command = null;
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case ' ' or '\t':
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }
                    break;
                case '\'':
                    int close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        error = "unclosed ' in the command";
                        return false;
                    }
                    word.Append(text, i + 1, close - i - 1);
                    inWord = true;
                    i = close;
                    break;
                case '"':
                    if (!TryReadDoubleQuoted(text, ref i, word))
                    {
                        error = "unclosed \" in the command";
                        return false;
                    }
                    inWord = true;
                    break;
                case '\\':
                    if (i + 1 == text.Length)
                    {
                        error = "the command ends with a lone \\";
                        return false;
                    }
                    word.Append(text[++i]);
                    inWord = true;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        if (words.Count == 0 || words[0].Length == 0)
        {
            error = "the command names no program";
            return false;
        }
        command = new HookCommand(text, [.. words]);
        error = string.Empty;
        return true;
    }

    /// <summary>From the opening " at <paramref name="i"/> to its closing one (left in <paramref name="i"/>).</summary>
    private static bool TryReadDoubleQuoted(string text, ref int i, StringBuilder word)
    {
        for (int j = i + 1; j < text.Length; j++)
        {
            char c = text[j];
            if (c == '"')
            {
                i = j;
                return true;
            }
            if (c == '\\' && j + 1 < text.Length && text[j + 1] is '"' or '\\')
            {
                c = text[++j];
            }
            word.Append(c);
        }
        return false;
    }

    /// <summary>
    /// The program's path: <see cref="Program"/> itself when it holds a '/', else the first executable file of
    /// that name in PATH; null when there is none (checked once at the start, so a typo fails at once).
    /// </summary>
    public string? Resolve()
    {
        if (Program.Contains('/'))
        {
            return IsExecutable(Program) ? Path.GetFullPath(Program) : null;
        }
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, Program);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static bool IsExecutable(string path)
    {
        try
        {
            return File.Exists(path) && (OperatingSystem.IsWindows()
                || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
