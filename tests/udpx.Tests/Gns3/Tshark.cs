using Udpx.Tests.Reliability;

namespace Udpx.Tests.Gns3;

/// <summary>Runs Debian's tshark with the shipped Lua dissector (gns3/wireshark/udpx.lua) over a capture.</summary>
internal static class Tshark
{
    public static bool IsInstalled => SystemCommand.Exists("tshark");

    public const string SkipReason = "tshark is not installed (Debian package tshark; .ci/run installs it)";

    public static string Dissector { get; } = Path.Combine(RepoRoot(), "gns3", "wireshark", "udpx.lua");

    /// <summary>gns3/wireshark/check-capture.sh: the summary and checks CI runs over a link capture.</summary>
    public static string CheckScript { get; } = Path.Combine(RepoRoot(), "gns3", "wireshark", "check-capture.sh");

    /// <summary>One row per frame, one value per field (several occurrences joined by ';').</summary>
    public static List<Dictionary<string, string>> Fields(string capture, IReadOnlyList<string> fields, params string[] options) =>
        FieldsWith(Dissector, capture, fields, options);

    /// <summary>As <see cref="Fields"/>, with another Lua script (one that loads the dissector under other conditions).</summary>
    public static List<Dictionary<string, string>> FieldsWith(string script, string capture, IReadOnlyList<string> fields, params string[] options)
    {
        var args = new List<string> { "-n", "-X", "lua_script:" + script, "-r", capture, "-T", "fields", "-E", "separator=/t", "-E", "aggregator=;", "-E", "occurrence=a" };
        foreach (string option in options)
        {
            args.Add("-o");
            args.Add(option);
        }
        foreach (string field in fields)
        {
            args.Add("-e");
            args.Add(field);
        }
        string output = Run(args);
        var rows = new List<Dictionary<string, string>>();
        foreach (string line in output.Split('\n'))
        {
            string[] values = line.Split('\t');
            if (values.Length != fields.Count)
            {
                continue; // tshark's own notes on stderr (running as root, say)
            }
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < fields.Count; i++)
            {
                row[fields[i]] = values[i];
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The full decode (-V), standard error included.</summary>
    public static string Verbose(string capture, params string[] options)
    {
        var args = new List<string> { "-n", "-X", "lua_script:" + Dissector, "-r", capture, "-V" };
        foreach (string option in options)
        {
            args.Add("-o");
            args.Add(option);
        }
        return Run(args);
    }

    private static string Run(List<string> args)
    {
        var (code, output) = SystemCommand.Run("tshark", args);
        Assert.True(code == 0, "tshark failed with " + code + ": " + output);
        // A Lua error in a dissector does not fail tshark: it shows up in the decode.
        Assert.DoesNotContain("Lua Error", output, StringComparison.Ordinal);
        Assert.DoesNotContain("lua_error", output, StringComparison.OrdinalIgnoreCase);
        return output;
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "udpx.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("udpx.sln not found above " + AppContext.BaseDirectory);
    }
}
