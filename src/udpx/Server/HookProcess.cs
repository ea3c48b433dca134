using System.ComponentModel;
using System.Diagnostics;

namespace Udpx.Server;

/// <summary>
/// One run of the `serve --on-file` hook: the program started directly (execve, never through a shell) with
/// the command's arguments and the stored file's absolute path as the last argv element, the file's metadata
/// in UDPX_* environment variables, stdin closed, the --out folder as its working folder. At the timeout (or
/// when the server stops) the hook and every process below it are killed.
/// </summary>
internal static class HookProcess
{
    /// <summary>How long the output is still read after the hook exited (a child it left may hold the pipe).</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(1);

    public static HookOutcome Run(string program, HookCommand command, StoredFile file, TimeSpan timeout, CancellationToken stopping)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = file.Folder,
        };
        foreach (string argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.ArgumentList.Add(file.Path);
        foreach (var (name, value) in file.Environment())
        {
            info.Environment[name] = value;
        }
        var watch = Stopwatch.StartNew();
        Process? process;
        try
        {
            process = Process.Start(info);
        }
        catch (Exception ex) when (ex is Win32Exception or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return new HookOutcome(HookEnd.NotStarted, null, ex.Message, [], 0, watch.Elapsed.TotalSeconds);
        }
        if (process is null)
        {
            return new HookOutcome(HookEnd.NotStarted, null, "the program did not start", [], 0, watch.Elapsed.TotalSeconds);
        }
        using (process)
        {
            var output = new HookOutput();
            var reading = Task.WhenAll(output.ReadAsync(process.StandardOutput), output.ReadAsync(process.StandardError));
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It exited already: nothing to close.
            }
            bool exited = WaitForExit(process, timeout, stopping);
            if (!exited)
            {
                KillTree(process);
            }
            reading.Wait(OutputGrace, CancellationToken.None);
            double seconds = watch.Elapsed.TotalSeconds;
            return exited
                ? new HookOutcome(HookEnd.Exited, process.ExitCode, null, output.FirstLines, output.Lines, seconds)
                : new HookOutcome(stopping.IsCancellationRequested ? HookEnd.Stopped : HookEnd.TimedOut, null, null, output.FirstLines, output.Lines, seconds);
        }
    }

    /// <summary>True when it exited by itself within <paramref name="timeout"/> (and before the server stopped).</summary>
    private static bool WaitForExit(Process process, TimeSpan timeout, CancellationToken stopping)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout && !stopping.IsCancellationRequested)
        {
            var slice = TimeSpan.FromMilliseconds(Math.Min(100, Math.Max(1, (timeout - deadline.Elapsed).TotalMilliseconds)));
            if (process.WaitForExit(slice))
            {
                return true;
            }
        }
        return process.HasExited;
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Exited meanwhile.
        }
    }
}
