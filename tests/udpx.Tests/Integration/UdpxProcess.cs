using System.Diagnostics;

namespace Udpx.Tests.Integration;

/// <summary>Runs the real udpx program (the apphost built beside the tests) and captures what it prints.</summary>
internal static class UdpxProcess
{
    public static string Executable => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "udpx.exe" : "udpx");

    public static async Task<(int ExitCode, string Out, string Err)> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("udpx " + string.Join(' ', args) + " did not finish within " + timeout);
        }
        return (process.ExitCode, await output, await error);
    }

    public static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        return Process.Start(info)!;
    }
}
