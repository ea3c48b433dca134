using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Udpx.Common;
using Udpx.Engine;
using Udpx.Net;

namespace Udpx.Modes;

/// <summary>
/// One child worker process as the parent sees it: jobs go to its standard input as JSON lines; its
/// progress reports update the jobs' handles live and its results complete the jobs' futures.
/// </summary>
internal sealed class WorkerProcess : IWorker
{
    private readonly Process _process;
    private readonly ConcurrentDictionary<int, Pending> _jobs = new();
    private readonly ConcurrentDictionary<int, string> _labels = new();
    private readonly Task _reader;
    private readonly Task<string> _errors;

    private WorkerProcess(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadReportsAsync);
        // Its controller's trace, when tracing, is forwarded labelled with the transfer (the label is kept past the job's end).
        _errors = WorkerErrorLines.ReadAsync(process.StandardError, CongestionController.TraceRounds ? Console.Error : null, process.Id, id => _labels.GetValueOrDefault(id));
    }

    public int Pid => _process.Id;

    public static WorkerProcess Start(WorkerLaunch launch)
    {
        var info = new ProcessStartInfo(launch.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in launch.PrefixArguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.ArgumentList.Add(WorkerLaunch.Verb);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start a worker process");
        process.StandardInput.AutoFlush = true;
        return new WorkerProcess(process);
    }

    /// <summary>Hands a job to the worker; the returned futures complete when it has sent everything once and with its result.</summary>
    public SubmittedJob Submit(TransferHandle handle, int initialWindow, long pathRttMicros, bool held = false)
    {
        var job = initialWindow > 0 || pathRttMicros > 0
            ? handle.Job with { Settings = handle.Job.Settings with { InitialWindow = Math.Max(0, initialWindow), PathRttMicros = Math.Max(0, pathRttMicros) } }
            : handle.Job;
        var pending = new Pending(handle);
        _labels[handle.Job.Id] = SafeText.Escape(handle.Job.Name) + " -> " + handle.Job.Server;
        _jobs[handle.Job.Id] = pending;
        if (!WriteLine(JsonSerializer.Serialize(WorkerJob.From(job, held), WorkerJson.Default.WorkerJob), out string? error))
        {
            _jobs.TryRemove(handle.Job.Id, out _);
            pending.End(JobFutures.Failed(handle.Job, "worker process " + Pid + " is gone: " + error));
        }
        return new SubmittedJob(pending.SentOnce.Task, pending.Future.Task);
    }

    /// <summary>Lets a held job send (a job that has ended meanwhile reads the line and lets it be).</summary>
    public void Release(int jobId, int initialWindow) =>
        WriteLine(JsonSerializer.Serialize(new WorkerRelease(jobId, Math.Max(0, initialWindow)), WorkerJson.Default.WorkerRelease), out _);

    private bool WriteLine(string line, out string? error)
    {
        try
        {
            _process.StandardInput.WriteLine(line);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            error = ex.Message;
            return false;
        }
    }

    public void CloseInput()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
    }

    private async Task ReadReportsAsync()
    {
        try
        {
            string? line;
            while ((line = await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false)) is not null)
            {
                WorkerReport? report;
                try
                {
                    report = JsonSerializer.Deserialize(line, WorkerJson.Default.WorkerReport);
                }
                catch (JsonException)
                {
                    continue;
                }
                if (report is null || !_jobs.TryGetValue(report.JobId, out var job))
                {
                    continue;
                }
                Apply(report, job.Handle);
                if (report.Type == WorkerReport.SentType && report.Sample is { } sample)
                {
                    job.SentOnce.TrySetResult(sample);
                }
                if (report.Type == WorkerReport.ResultType && report.Result is { } result && _jobs.TryRemove(report.JobId, out _))
                {
                    job.End(result);
                }
            }
        }
        catch (IOException)
        {
        }
        finally
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
            string lastError = await _errors.ConfigureAwait(false);
            string why = "worker process " + _process.Id + " exited with code " + _process.ExitCode
                + (lastError.Length > 0 ? ": " + lastError : string.Empty);
            foreach (var (id, job) in _jobs)
            {
                if (_jobs.TryRemove(id, out _))
                {
                    job.End(JobFutures.Failed(job.Handle.Job, why));
                }
            }
        }
    }

    private static void Apply(WorkerReport report, TransferHandle handle)
    {
        if (report.Progress is { } progress)
        {
            handle.Counters.Apply(progress);
        }
        if (report.Stream is { } stream)
        {
            Span<byte> head = stackalloc byte[8];
            foreach (var d in stream)
            {
                new DatagramRecord(d.T, 0, d.Chunk, d.Bytes, d.Length, d.HeadLength, d.Head).CopyHead(head);
                handle.Stream.Record(d.T, 0, d.Chunk, d.Bytes, d.Length, head[..Math.Min((int)d.HeadLength, 8)]);
            }
        }
    }

    /// <summary>Waits for the worker to finish; kills it if it will not.</summary>
    public async ValueTask DisposeAsync()
    {
        CloseInput();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
        _process.Dispose();
    }

    /// <summary>A job's futures while the worker has it.</summary>
    private sealed class Pending(TransferHandle handle)
    {
        public TransferHandle Handle { get; } = handle;

        public TaskCompletionSource<PathSample?> SentOnce { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<TransferResult> Future { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The result is in; a job that never said it had sent everything once says so now, with nothing measured.</summary>
        public void End(TransferResult result)
        {
            SentOnce.TrySetResult(null);
            Future.TrySetResult(result);
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
