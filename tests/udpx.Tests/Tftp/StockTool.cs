using System.Diagnostics;
using Udpx.Tests.Reliability;

namespace Udpx.Tests.Tftp;

/// <summary>
/// The stock TFTP programs (Debian's atftp, tftp-hpa, curl; atftpd and tftpd-hpa as servers), run with a
/// time limit. .ci/run installs them; elsewhere the tests that need one are skipped with its name.
/// </summary>
internal static class StockTool
{
    public static string? WhyMissing(params string[] tools)
    {
        var missing = tools.Where(t => Locate(t) is null).ToList();
        return missing.Count == 0 ? null : "needs " + string.Join(", ", missing) + " (.ci/run installs atftp, atftpd, tftp-hpa, tftpd-hpa and curl)";
    }

    /// <summary>The tool's path: on PATH, in /usr/sbin, or unpacked by .ci/run (tftpd-hpa conflicts with atftpd as a package).</summary>
    public static string? Locate(string tool)
    {
        string[] dirs = [.. (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'), "/usr/sbin", "/sbin", UnpackedSbin];
        return dirs.Where(d => d.Length > 0).Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
    }

    /// <summary>Where .ci/run unpacks tftpd-hpa (dpkg -x) beside the installed atftpd.</summary>
    public static string UnpackedSbin => Environment.GetEnvironmentVariable("UDPX_TFTPD_HPA_ROOT") is { Length: > 0 } root
        ? Path.Combine(root, "usr/sbin")
        : "/opt/udpx-ci/tftpd-hpa/usr/sbin";

    /// <summary>Runs the tool to its end (at most <paramref name="limit"/>); exit code and everything it printed.</summary>
    public static (int ExitCode, string Output) Run(string tool, TimeSpan limit, string? workingDirectory, params string[] args) =>
        RunIn(null, tool, limit, workingDirectory, null, args);

    /// <summary>
    /// Runs the tool to its end (at most <paramref name="limit"/>), inside network namespace
    /// <paramref name="netns"/> when given (`ip netns exec` execs it in place), with <paramref name="input"/> on its stdin.
    /// </summary>
    public static (int ExitCode, string Output) RunIn(string? netns, string tool, TimeSpan limit, string? workingDirectory, string? input, params string[] args)
    {
        var info = StartInfo(netns, tool, args);
        info.RedirectStandardInput = true;
        info.WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + tool);
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, tool + " " + string.Join(' ', args) + " did not finish within " + limit + ": " + output.Result + error.Result);
        }
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>Starts a server program in the background; disposing kills it.</summary>
    public static Process Start(string tool, params string[] args) => StartIn(null, tool, args);

    /// <summary>Starts a server program in the background, inside <paramref name="netns"/> when given; disposing kills it.</summary>
    public static Process StartIn(string? netns, string tool, params string[] args)
    {
        var info = StartInfo(netns, tool, args);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + tool);
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    public static bool IsRoot => SystemCommand.IsRoot;

    private static ProcessStartInfo StartInfo(string? netns, string tool, string[] args)
    {
        string program = Locate(tool) ?? tool;
        var info = new ProcessStartInfo(netns is null ? program : "ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (netns is not null)
        {
            foreach (string a in (string[])["netns", "exec", netns, program])
            {
                info.ArgumentList.Add(a);
            }
        }
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        return info;
    }
}
