using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Udpx.Engine;
using Udpx.Net;

namespace Udpx.Modes;

/// <summary>
/// The child side of both process modes (hidden verb "worker"): reads jobs as JSON lines on standard
/// input until it closes, runs each with the blocking driver on this process's main thread, and reports
/// progress (a few times a second), a "sent" line the moment every chunk has gone out once, and the result
/// as JSON lines on standard output. A held job (<see cref="WorkerJob.Held"/>) shakes hands and waits for
/// its release line (<see cref="WorkerRelease"/>), the next line on standard input.
/// </summary>
internal static class WorkerHost
{
    private static readonly TimeSpan ReportEvery = TimeSpan.FromMilliseconds(200);

    public static int Run(TextReader input, Stream output, CancellationToken cancellationToken)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(false)) { AutoFlush = false, NewLine = "\n" };
        var gate = new Lock();
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            if (line.Length == 0)
            {
                continue;
            }
            WorkerJob job;
            try
            {
                job = WorkerJobLine.ParseJob(line);
            }
            catch (JsonException ex)
            {
                Console.Error.WriteLine("udpx worker: bad job line: " + ex.Message);
                return 2;
            }
            TransferJob transfer;
            try
            {
                transfer = job.ToJob();
            }
            catch (ArgumentException ex)
            {
                Write(writer, gate, new WorkerReport { Type = WorkerReport.ResultType, JobId = job.JobId, Pid = Environment.ProcessId, Result = JobFutures.Failed(new TransferJob(job.JobId, job.Path, job.Name, job.Server, new TransferSettings()), ex.Message) });
                continue;
            }
            if (!job.Held || transfer.Settings.Tftp is not null)
            {
                RunJob(transfer, writer, gate, cancellationToken);
                continue;
            }
            using var start = new StartGate();
            // A thread of its own, not the pool's: a child's pool would start for this one read and then spin for
            // work on the cores the transfer needs.
            int jobId = job.JobId;
            var release = new Thread(() => AwaitRelease(input, jobId, start)) { IsBackground = true, Name = "udpx-worker-release" };
            release.Start();
            RunJob(transfer with { Settings = transfer.Settings with { Gate = start } }, writer, gate, cancellationToken);
            // The release line is this job's even when the job ended before it came; the next line is read after it.
            release.Join();
        }
        return 0;
    }

    /// <summary>Reads the line that lets a held job go; input that ends or says something else abandons it.</summary>
    private static void AwaitRelease(TextReader input, int jobId, StartGate start)
    {
        string? line = input.ReadLine();
        WorkerRelease? release = null;
        try
        {
            release = line is null ? null : WorkerJobLine.ParseRelease(line);
        }
        catch (JsonException ex)
        {
            Console.Error.WriteLine("udpx worker: bad release line: " + ex.Message);
        }
        if (release is null || release.Go != jobId)
        {
            start.Abandon();
            return;
        }
        start.Open(release.InitialWindow);
    }

    private static void RunJob(TransferJob job, StreamWriter writer, Lock gate, CancellationToken cancellationToken)
    {
        if (CongestionController.TraceRounds)
        {
            // The parent labels this controller's trace lines with the job they belong to from here on.
            Console.Error.WriteLine(WorkerErrorLines.JobMarker + job.Id);
        }
        var counters = new TransferCounters();
        var ring = new DatagramRing();
        long cursor = 0;
        var sample = new DatagramRecord[16];
        var reportGate = new Lock();
        void Report()
        {
            lock (reportGate)
            {
                ReportLocked();
            }
        }

        void ReportLocked()
        {
            int n = ring.ReadSince(ref cursor, sample, out _);
            var stream = new WorkerDatagram[n];
            for (int i = 0; i < n; i++)
            {
                var r = sample[i];
                stream[i] = new WorkerDatagram(r.TimeMicros, r.Chunk, r.RunningBytes, r.Length, r.Head, r.HeadLength);
            }
            Write(writer, gate, new WorkerReport { Type = WorkerReport.ProgressType, JobId = job.Id, Pid = Environment.ProcessId, Progress = counters.Snapshot(), Stream = stream });
        }

        long started = Stopwatch.GetTimestamp();
        counters.SentOnce += () =>
        {
            // On the sending thread, once: the parent hands the path to the next worker on this line.
            var s = counters.Snapshot();
            var held = job.Settings.Gate?.Held ?? TimeSpan.Zero;
            var sample = new PathSample(s.BytesAcked, (Stopwatch.GetElapsedTime(started) - held).TotalSeconds, s.RttMicros, s.Window);
            Write(writer, gate, new WorkerReport { Type = WorkerReport.SentType, JobId = job.Id, Pid = Environment.ProcessId, Sample = sample });
        };
        using (var timer = new Timer(_ => Report(), null, ReportEvery, ReportEvery))
        {
            var result = TransferRunner.Run(job, counters, ring, cancellationToken);
            timer.Dispose();
            Report();
            Write(writer, gate, new WorkerReport { Type = WorkerReport.ResultType, JobId = job.Id, Pid = Environment.ProcessId, Result = result });
        }
    }

    private static void Write(StreamWriter writer, Lock gate, WorkerReport report)
    {
        string json = JsonSerializer.Serialize(report, WorkerReportWriterJson.Default.WorkerReport);
        lock (gate)
        {
            try
            {
                writer.WriteLine(json);
                writer.Flush();
            }
            catch (IOException)
            {
                // The parent is gone; the transfer still finishes or times out on its own.
            }
        }
    }
}
