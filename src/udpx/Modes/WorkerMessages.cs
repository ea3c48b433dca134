using System.Text.Json.Serialization;
using Udpx.Engine;
using Udpx.Protocol;

namespace Udpx.Modes;

/// <summary>A job as a worker process receives it: one JSON line on its standard input.</summary>
/// <remarks>
/// The key itself never travels: a worker reads the same key file (<see cref="KeyFile"/>) or inherits the
/// UDPX_KEY environment variable (<see cref="KeyFromEnvironment"/>).
/// </remarks>
internal sealed record WorkerJob(int JobId, string Path, string Name, string Server, int DatagramSize, long RateBytesPerSecond, int ConnectTimeoutMs, int IdleTimeoutMs, string? KeyFile = null, bool KeyFromEnvironment = false, bool Encrypt = false, long JobTimeoutMs = -1, TftpTransferSettings? Tftp = null, bool Background = false, int InitialWindow = 0, bool Held = false, long PathRttMicros = 0)
{
    public static WorkerJob From(TransferJob job, bool held = false) => new(
        job.Id, job.Path, job.Name, job.Server, job.Settings.DatagramSize, job.Settings.RateBytesPerSecond,
        (int)job.Settings.ConnectTimeout.TotalMilliseconds, (int)job.Settings.IdleTimeout.TotalMilliseconds,
        job.Settings.Key?.File, job.Settings.Key is { File: null }, job.Settings.Encrypt,
        job.Settings.JobTimeout == Timeout.InfiniteTimeSpan ? -1 : (long)job.Settings.JobTimeout.TotalMilliseconds,
        job.Settings.Tftp, job.Settings.Background, job.Settings.InitialWindow, held, job.Settings.PathRttMicros);

    public TransferJob ToJob() => new(JobId, Path, Name, Server, new TransferSettings
    {
        Key = KeyFile is not null || KeyFromEnvironment ? PreSharedKey.Load(KeyFile) : null,
        Encrypt = Encrypt,
        DatagramSize = DatagramSize,
        RateBytesPerSecond = RateBytesPerSecond,
        ConnectTimeout = TimeSpan.FromMilliseconds(ConnectTimeoutMs),
        IdleTimeout = TimeSpan.FromMilliseconds(IdleTimeoutMs),
        JobTimeout = JobTimeoutMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(JobTimeoutMs),
        Tftp = Tftp,
        Background = Background,
        InitialWindow = Math.Max(0, InitialWindow),
        PathRttMicros = Math.Max(0, PathRttMicros),
    });
}

/// <summary>
/// The line that lets a held job (<see cref="WorkerJob.Held"/>) send its data, its path's controller starting
/// from <see cref="InitialWindow"/>: <c>{"go":3,"initialWindow":200}</c>.
/// </summary>
internal sealed record WorkerRelease(int Go, int InitialWindow);

/// <summary>What a worker reports on its standard output, one JSON line each: progress while a job runs, then its result.</summary>
internal sealed record WorkerReport
{
    public const string ProgressType = "progress";
    public const string ResultType = "result";

    /// <summary>Every chunk has gone out once (<see cref="TransferCounters.SentOnce"/>); <see cref="Sample"/> says what the path carried.</summary>
    public const string SentType = "sent";

    public required string Type { get; init; }

    public int JobId { get; init; }

    public int Pid { get; init; }

    public TransferSnapshot? Progress { get; init; }

    public WorkerDatagram[]? Stream { get; init; }

    public TransferResult? Result { get; init; }

    public PathSample? Sample { get; init; }
}

/// <summary>A sampled datagram from a worker's stream, for the parent's stream pane.</summary>
internal sealed record WorkerDatagram(long T, ulong Chunk, long Bytes, int Length, ulong Head, byte HeadLength);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WorkerJob))]
[JsonSerializable(typeof(WorkerReport))]
[JsonSerializable(typeof(WorkerRelease))]
internal sealed partial class WorkerJson : JsonSerializerContext;

/// <summary>
/// How a worker writes its reports: the same JSON as <see cref="WorkerJson"/> (which the parent reads them
/// with), from generated writing code only. Metadata mode builds every reported type's property metadata,
/// converters and encoded names through reflection on the first report, once per child process.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(WorkerReport))]
internal sealed partial class WorkerReportWriterJson : JsonSerializerContext;
