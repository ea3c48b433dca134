using System.Diagnostics;

namespace Udpx.Tests.Reliability;

/// <summary>Runs a system tool (ip, nft, mount) and returns what it said; for the root-only tests.</summary>
internal static class SystemCommand
{
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    public static bool Exists(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/sbin").Append("/sbin")
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));

    public static (int ExitCode, string Output) Run(string tool, IEnumerable<string> args, string? input = null)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + tool);
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(tool + " " + string.Join(' ', args) + " did not finish within 60 s");
        }
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>Runs the tool and throws with its output when it fails.</summary>
    public static string Check(string tool, params string[] args) => CheckWithInput(tool, null, args);

    public static string CheckWithInput(string tool, string? input, params string[] args)
    {
        var (code, output) = Run(tool, args, input);
        if (code != 0)
        {
            throw new InvalidOperationException(tool + " " + string.Join(' ', args) + " failed with " + code + ": " + output.Trim());
        }
        return output;
    }
}
