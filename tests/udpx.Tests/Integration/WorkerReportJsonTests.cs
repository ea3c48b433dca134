using System.Text.Json;
using Udpx.Engine;
using Udpx.Modes;

namespace Udpx.Tests.Integration;

/// <summary>
/// A worker writes its reports with generated writing code only (<see cref="WorkerReportWriterJson"/>); the
/// parent reads them with <see cref="WorkerJson"/>. Every kind of report must come out as the same text.
/// </summary>
public sealed class WorkerReportJsonTests
{
    public static TheoryData<string> Kinds => [WorkerReport.ProgressType, WorkerReport.SentType, WorkerReport.ResultType];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_workers_writer_and_the_parents_reader_agree_on_every_report(string kind)
    {
        var report = Report(kind);

        string written = JsonSerializer.Serialize(report, WorkerReportWriterJson.Default.WorkerReport);

        Assert.Equal(JsonSerializer.Serialize(report, WorkerJson.Default.WorkerReport), written);
        var read = JsonSerializer.Deserialize(written, WorkerJson.Default.WorkerReport)!;
        Assert.Equal(JsonSerializer.Serialize(read, WorkerJson.Default.WorkerReport), written);
    }

    private static WorkerReport Report(string kind) => kind switch
    {
        WorkerReport.ProgressType => new WorkerReport
        {
            Type = kind, JobId = 3, Pid = 4242,
            Progress = new TransferSnapshot(5846, 8_388_608, 7, 8_000_000, 180, 1537, 598, TransferPhase.Sending),
            Stream = [new WorkerDatagram(12_345, 17, 25_024, 1472, 0x0102030405060708, 8), new WorkerDatagram(12_400, 18, 26_496, 1472, 0, 0)],
        },
        WorkerReport.SentType => new WorkerReport { Type = kind, JobId = 3, Pid = 4242, Sample = new PathSample(8_000_000, 0.0101, 1537, 598) },
        _ => new WorkerReport
        {
            Type = kind, JobId = 3, Pid = 4242,
            Result = new TransferResult
            {
                JobId = 3, Name = "f \"8\" é", Server = "127.0.0.1:9000", Bytes = 8_388_608, Verified = true, Seconds = 0.0243977,
                DatagramsSent = 5846, Retransmitted = 2, RttMicros = 1537, PathWindow = 598, AllocatedBytes = 17_136, SessionId = 132_444_798_981_863,
            },
        },
    };
}
