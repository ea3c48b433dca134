using System.Diagnostics;
using System.Text;

namespace Udpx.Bench.Peers;

/// <summary>
/// A peer tool's process: output captured (never shown unless it fails), standard input closed so
/// nothing waits for a key, and on disposal killed if still running and always waited for, so its CPU
/// time is counted in ours (cutime) and no zombie stays behind.
/// </summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    private const int MaxCapturedChars = 1 << 20;

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private readonly UnreapedCpu? _unreaped;

    private PeerProcess(Process process, string name, UnreapedCpu? unreaped)
    {
        _process = process;
        Name = name;
        _unreaped = unreaped;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <param name="unreaped">Where the CPU time of descendants killed with this process is counted.</param>
    public static PeerProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, UnreapedCpu? unreaped = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var process = new Process { StartInfo = info };
        var peer = new PeerProcess(process, Path.GetFileName(fileName), unreaped);
        process.OutputDataReceived += (_, e) => peer.Append(peer._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => peer.Append(peer._stderr, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new PeerFailure("cannot start " + fileName + ": " + ex.Message);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        return peer;
    }

    /// <summary>Waits for the process to end; kills it and fails after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PeerFailure(Name + " did not finish within " + timeout.TotalSeconds + " s");
        }
        return _process.ExitCode;
    }

    /// <summary>Waits, and fails with the tool's own last words when it exits with an error.</summary>
    public async Task WaitSuccessAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        int code = await WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new PeerFailure(Name + " exited with code " + code + ": " + LastLine());
        }
    }

    /// <summary>The last non-empty line it wrote, standard error first.</summary>
    public string LastLine()
    {
        lock (_gate)
        {
            foreach (var text in new[] { _stderr, _stdout })
            {
                string last = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? string.Empty;
                if (last.Length > 0)
                {
                    last = string.Join(' ', last.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                    return last.Length > 200 ? last[..200] : last;
                }
            }
        }
        return "(no output)";
    }

    private void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            if (text.Length < MaxCapturedChars)
            {
                text.Append(line).Append('\n');
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // Its own time reaches us when we wait for it; that of its children (a server's
                // per-transfer forks) would be lost with them, so it is read before they die.
                _unreaped?.AddDescendantsOf(_process.Id);
                _process.Kill(entireProcessTree: true);
            }
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
        }
        _process.Dispose();
    }
}
