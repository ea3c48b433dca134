using System.Text.Json.Serialization;
using Udpx.Engine;

namespace Udpx.Cli;

/// <summary>The result document of `udpx send --json`.</summary>
internal sealed record SendReport(
    string Mode,
    int Workers,
    double ElapsedSeconds,
    bool Ok,
    IReadOnlyList<DownloadReport> Downloads,
    IReadOnlyList<TransferResult> Transfers,
    SendTotal? Total = null,
    IReadOnlyList<string>? Skipped = null,
    int EmptyFolders = 0);

/// <summary>The sum of a send's transfers, beside the per-file results.</summary>
internal sealed record SendTotal(int Files, int Verified, long Bytes, long ResumedBytes, long Datagrams, long Retransmitted)
{
    public static SendTotal Of(IReadOnlyList<TransferResult> results) => new(
        results.Count, results.Count(r => r.Verified), results.Where(r => r.Verified).Sum(r => r.Bytes),
        results.Sum(r => r.ResumedBytes), results.Sum(r => r.DatagramsSent), results.Sum(r => r.Retransmitted));
}

internal sealed record DownloadReport(string Url, string File, long Bytes, double Seconds);

/// <summary>One line of `udpx serve --json`.</summary>
internal sealed record ServerEvent
{
    public required string Event { get; init; }

    /// <summary>"tftp" for the TFTP listener's sessions (serve --tftp); absent for udpx's own.</summary>
    public string? Protocol { get; init; }

    public string? Time { get; init; }

    public string? Peer { get; init; }

    public string? Name { get; init; }

    /// <summary>The session id as a capture shows it (Wireshark's udpx.session), on the start line.</summary>
    public string? Session { get; init; }

    public long? Size { get; init; }

    public long? ResumedBytes { get; init; }

    public long? Bytes { get; init; }

    public long? Datagrams { get; init; }

    public long? Chunk { get; init; }

    public int? Length { get; init; }

    public string? Head { get; init; }

    public double? Seconds { get; init; }

    public double? BytesPerSecond { get; init; }

    public bool? DigestOk { get; init; }

    public string? Reason { get; init; }

    public long? Duplicates { get; init; }

    public long? Corrupt { get; init; }

    public string? Address { get; init; }

    /// <summary>The folder, a path alone; on "listening" the facts about it follow in the fields below.</summary>
    public string? Folder { get; init; }

    /// <summary>On "listening": the folder did not exist and was made.</summary>
    public bool? Created { get; init; }

    /// <summary>On "listening": files of the same name are replaced (--overwrite).</summary>
    public bool? Overwrite { get; init; }

    /// <summary>On "listening": names starting with "." are accepted (--allow-hidden).</summary>
    public bool? AllowHidden { get; init; }

    public int? ReceiveThreads { get; init; }

    /// <summary>On "listening": the --on-file command as given, and how long one run may take.</summary>
    public string? OnFile { get; init; }

    public double? OnFileTimeoutSeconds { get; init; }

    /// <summary>On "listening": where the pre-shared key came from ("key file PATH" or UDPX_KEY), when there is one.</summary>
    public string? Key { get; init; }

    /// <summary>How the --on-file hook ended, on a "hook" event: exited, timeout, stopped, not-started or dropped.</summary>
    public string? Hook { get; init; }

    /// <summary>The hook's exit code, when it exited.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The hook's first lines of output (stdout and stderr as they came), and how many it wrote in all.</summary>
    public IReadOnlyList<string>? Output { get; init; }

    public int? OutputLines { get; init; }
}

/// <summary>One row of the demo's comparison table.</summary>
internal sealed record DemoModeResult(string Mode, double Seconds, double BytesPerSecond, long Datagrams, long Retransmitted, int Files, bool AllIdentical);

internal sealed record DemoReport(IReadOnlyList<DemoModeResult> Modes, bool Ok)
{
    /// <summary>The download step: each sample image fetched by URL before the transfers.</summary>
    public IReadOnlyList<DemoDownloadResult>? Downloads { get; init; }

    public double LossPercent { get; init; }
}

internal sealed record DemoDownloadResult(string Url, long Bytes, double Seconds);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SendReport))]
[JsonSerializable(typeof(ServerEvent))]
[JsonSerializable(typeof(DemoReport))]
internal sealed partial class CliJson : JsonSerializerContext;
