using System.Text;

namespace Udpx.Tests.Hook;

/// <summary>
/// A hook program for the tests: a /bin/sh script (the hook may be any program; udpx itself never runs a
/// shell) that records its argv, the UDPX_* environment and its working folder, NUL-separated, into a folder
/// given as its first argument, writes a line to stdout and one to stderr, then does what the test asks.
/// </summary>
internal static class HookScript
{
    public static readonly string[] Variables =
        ["UDPX_FILE", "UDPX_NAME", "UDPX_FILE_SIZE", "UDPX_SENDER", "UDPX_DIGEST", "UDPX_SESSION", "UDPX_RESUMED_BYTES", "UDPX_ENCRYPTED", "UDPX_OUT"];

    /// <summary>Writes the script under <paramref name="folder"/>, executable; <paramref name="then"/> is its last lines.</summary>
    public static string Write(string folder, string then = "exit 0")
    {
        string path = Path.Combine(folder, "hook.sh");
        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append("dir=$1\n");
        script.Append("n=$(ls \"$dir\" | grep -c '^argv')\n");
        script.Append("for a in \"$@\"; do printf '%s\\0' \"$a\"; done > \"$dir/argv$n\"\n");
        script.Append("printf '%s\\0'");
        foreach (string variable in Variables)
        {
            script.Append(" \"$" + variable + "\"");
        }
        script.Append(" > \"$dir/env$n\"\n");
        script.Append("pwd > \"$dir/cwd$n\"\n");
        script.Append("echo \"hook saw $# arguments\"\n");
        script.Append("echo 'a line on stderr' >&2\n");
        script.Append(then).Append('\n');
        File.WriteAllText(path, script.ToString());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    /// <summary>The run <paramref name="n"/>'s argv (without the program), as the hook got it.</summary>
    public static string[] Argv(string records, int n = 0) => Split(Path.Combine(records, "argv" + n));

    /// <summary>The run <paramref name="n"/>'s UDPX_* variables by name.</summary>
    public static Dictionary<string, string> Environment(string records, int n = 0) =>
        Variables.Zip(Split(Path.Combine(records, "env" + n))).ToDictionary(p => p.First, p => p.Second);

    public static string WorkingFolder(string records, int n = 0) => File.ReadAllText(Path.Combine(records, "cwd" + n)).TrimEnd('\n');

    private static string[] Split(string path)
    {
        string text = File.ReadAllText(path);
        Assert.EndsWith("\0", text);
        return text[..^1].Split('\0');
    }
}
