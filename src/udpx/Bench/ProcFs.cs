using System.Globalization;

namespace Udpx.Bench;

/// <summary>
/// The few Linux /proc figures the bench reads: CPU time of reaped children, peak resident memory
/// (VmHWM) of a process and how to reset our own, and a process's direct children. Every reader
/// answers -1 or empty where /proc is missing or the process has gone.
/// </summary>
internal static class ProcFs
{
    /// <summary>USER_HZ: the unit of the times in /proc/PID/stat; 100 on every Linux architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    public static bool Available => File.Exists("/proc/self/stat");

    /// <summary>
    /// User plus system CPU time of this process's children that have ended and been waited for
    /// (cutime + cstime of /proc/self/stat). .NET waits for every child it started, so a worker
    /// process's whole CPU time lands here once it has exited. Resolution: 10 ms.
    /// </summary>
    public static double ReapedChildrenCpuSeconds()
    {
        string[]? fields = StatFields("/proc/self/stat");
        if (fields is null || fields.Length < 15)
        {
            return 0;
        }
        // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17.
        return (ParseLong(fields[13]) + ParseLong(fields[14])) / TicksPerSecond;
    }

    /// <summary>
    /// User plus system time of a live process, its own (utime + stime) and that of the children it has
    /// waited for (cutime + cstime), from /proc/PID/stat; 0 if it has gone.
    /// </summary>
    public static double CpuSeconds(string pid)
    {
        string[]? fields = StatFields("/proc/" + pid + "/stat");
        if (fields is null || fields.Length < 15)
        {
            return 0;
        }
        return (ParseLong(fields[11]) + ParseLong(fields[12]) + ParseLong(fields[13]) + ParseLong(fields[14])) / TicksPerSecond;
    }

    /// <summary>Peak resident set size (VmHWM) in bytes, or -1.</summary>
    public static long PeakResidentBytes(string pid = "self")
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/" + pid + "/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    string kb = line["VmHWM:".Length..].Trim();
                    int space = kb.IndexOf(' ', StringComparison.Ordinal);
                    return ParseLong(space < 0 ? kb : kb[..space]) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        return -1;
    }

    /// <summary>Resets this process's VmHWM to its current RSS (Linux 4.0+), so a peak belongs to one run.</summary>
    public static bool TryResetPeakResident()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The raw command line of a process (NUL-separated arguments); empty if it has gone.</summary>
    public static byte[] CommandLine(string pid)
    {
        try
        {
            return File.ReadAllBytes("/proc/" + pid + "/cmdline");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The direct children of a process, from /proc/PID/task/TID/children (every thread may have forked).</summary>
    public static List<int> Children(string pid = "self")
    {
        var children = new List<int>();
        try
        {
            foreach (string task in Directory.EnumerateDirectories("/proc/" + pid + "/task"))
            {
                string text;
                try
                {
                    text = File.ReadAllText(Path.Combine(task, "children"));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                foreach (string item in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out int child))
                    {
                        children.Add(child);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        return children;
    }

    /// <summary>The fields of a stat file after the command name, which may itself hold spaces and parentheses.</summary>
    private static string[]? StatFields(string path)
    {
        try
        {
            string text = File.ReadAllText(path);
            int close = text.LastIndexOf(')');
            return close < 0 ? null : text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long ParseLong(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : 0;
}
