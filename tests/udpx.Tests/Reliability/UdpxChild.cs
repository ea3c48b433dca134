using System.Diagnostics;
using System.Text.Json;
using Udpx.Cli;
using Udpx.Tests.Integration;

namespace Udpx.Tests.Reliability;

/// <summary>
/// A running udpx program (the apphost beside the tests), optionally inside a network namespace, whose
/// output lines are collected as they come so a test can wait for one. Disposing kills it if still running.
/// </summary>
internal sealed class UdpxChild : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly Task _stdout;
    private readonly Task<string> _stderr;

    private UdpxChild(Process process, string description)
    {
        _process = process;
        Description = description;
        _stdout = Task.Run(async () =>
        {
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync()) is not null)
            {
                lock (_gate)
                {
                    _lines.Add(line);
                }
            }
        });
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public string Description { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Starts `udpx ARGS`, or `ip netns exec NETNS udpx ARGS` when a namespace is given.</summary>
    public static UdpxChild Start(string? netns, params string[] args)
    {
        var info = new ProcessStartInfo(netns is null ? UdpxProcess.Executable : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (netns is not null)
        {
            // `ip netns exec` execs the program in place: the process we hold is udpx itself.
            foreach (string a in (string[])["netns", "exec", netns, UdpxProcess.Executable])
            {
                info.ArgumentList.Add(a);
            }
        }
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        string description = (netns is null ? string.Empty : "[" + netns + "] ") + "udpx " + string.Join(' ', args);
        return new UdpxChild(Process.Start(info) ?? throw new InvalidOperationException("could not start " + description), description);
    }

    /// <summary>Starts `udpx ARGS` with <paramref name="directory"/> as its working folder.</summary>
    public static UdpxChild StartIn(string directory, params string[] args)
    {
        var info = new ProcessStartInfo(UdpxProcess.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        string description = "(in " + directory + ") udpx " + string.Join(' ', args);
        return new UdpxChild(Process.Start(info) ?? throw new InvalidOperationException("could not start " + description), description);
    }

    /// <summary>Starts `udpx serve --json --headless` and waits for its "listening" line.</summary>
    public static async Task<(UdpxChild Server, int Port)> ServeAsync(string? netns, string bind, string folder, params string[] extra)
    {
        var server = Start(netns, ["serve", "--bind", bind, "--out", folder, "--json", "--headless", .. extra]);
        try
        {
            var listening = await server.WaitForEventAsync(e => e.Event == "listening", TimeSpan.FromSeconds(60));
            string address = listening.Address!;
            return (server, int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>The server's JSON events so far (lines that are not JSON are skipped).</summary>
    public IReadOnlyList<ServerEvent> Events => [.. Lines.Select(Parse).OfType<ServerEvent>()];

    public async Task<ServerEvent> WaitForEventAsync(Func<ServerEvent, bool> match, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            foreach (var e in Events)
            {
                if (match(e))
                {
                    return e;
                }
            }
            if (_process.HasExited)
            {
                await _stdout;
                if (Events.Any(match))
                {
                    continue;
                }
                throw new InvalidOperationException(Description + " exited with " + _process.ExitCode + " before the awaited line:\n" + await OutputAsync());
            }
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException(Description + ": the awaited line did not come within " + timeout + ":\n" + string.Join('\n', Lines));
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Waits for the program to end; returns its exit code and everything it printed.</summary>
    public async Task<(int ExitCode, string Out, string Err)> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException(Description + " did not finish within " + timeout + ":\n" + string.Join('\n', Lines));
        }
        await _stdout;
        return (_process.ExitCode, string.Join('\n', Lines), await _stderr);
    }

    /// <summary>SIGKILL, as a crash or `kill -9` would: no clean-up of any kind.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private async Task<string> OutputAsync()
    {
        string err = _stderr.IsCompleted ? await _stderr : string.Empty;
        return string.Join('\n', Lines) + (err.Length > 0 ? "\nstderr: " + err : string.Empty);
    }

    private static ServerEvent? Parse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(line, CliJson.Default.ServerEvent);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
