using System.Text;
using System.Text.Json;
using Udpx.Engine;
using Udpx.Net;

namespace Udpx.Modes;

/// <summary>
/// The child side of both process modes (hidden verb "worker"): reads jobs as JSON lines on standard
/// input until it closes, runs each with the blocking driver on this process's main thread, and reports
/// progress (a few times a second) and the result as JSON lines on standard output.
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
            WorkerJob? job;
            try
            {
                job = JsonSerializer.Deserialize(line, WorkerJson.Default.WorkerJob);
            }
            catch (JsonException ex)
            {
                Console.Error.WriteLine("udpx worker: bad job line: " + ex.Message);
                return 2;
            }
            if (job is null)
            {
                continue;
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
            RunJob(transfer, writer, gate, cancellationToken);
        }
        return 0;
    }

    private static void RunJob(TransferJob job, StreamWriter writer, Lock gate, CancellationToken cancellationToken)
    {
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
        string json = JsonSerializer.Serialize(report, WorkerJson.Default.WorkerReport);
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
