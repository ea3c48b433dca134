using System.Text.Json;
using Udpx.Engine;
using Udpx.Modes;

namespace Udpx.Tests.Integration;

/// <summary>
/// A worker reads its job and release lines with the plain JSON reader (<see cref="WorkerJobLine"/>), the parent
/// writes them with the generated serializer: every field must come across, and a bad line is a JsonException.
/// </summary>
public sealed class WorkerJobLineTests
{
    private static readonly WorkerJob EveryField = new(
        JobId: 41, Path: "/data/a \"b\" é.bin", Name: "a \"b\" é.bin", Server: "[::1]:9000", DatagramSize: 8972, RateBytesPerSecond: 5_000_000_000,
        ConnectTimeoutMs: 1234, IdleTimeoutMs: 5678, KeyFile: "/keys/k", KeyFromEnvironment: true, Encrypt: true, JobTimeoutMs: 9_000_000_000,
        Tftp: new TftpTransferSettings(Read: true, BlockSize: 1428, WindowSize: 16, Overwrite: true), Background: true, InitialWindow: 300, Held: true, PathRttMicros: 2_500);

    [Fact]
    public void The_sample_sets_every_field_of_a_job()
    {
        // A field added to WorkerJob and not to this sample (nor to the reader) fails here first.
        var defaults = new WorkerJob(0, string.Empty, string.Empty, string.Empty, 0, 0, 0, 0);
        foreach (var property in typeof(WorkerJob).GetProperties().Where(p => p.Name != "EqualityContract"))
        {
            Assert.NotEqual(property.GetValue(defaults), property.GetValue(EveryField));
        }
    }

    [Fact]
    public void Every_field_of_a_job_the_parent_writes_is_read()
    {
        string line = JsonSerializer.Serialize(EveryField, WorkerJson.Default.WorkerJob);

        Assert.Equal(EveryField, WorkerJobLine.ParseJob(line));
    }

    [Fact]
    public void A_job_with_only_what_the_parent_always_writes_reads_as_the_serializer_reads_it()
    {
        var plain = new WorkerJob(7, "/f", "f", "127.0.0.1:1", 1472, 0, 5000, 30000);
        string line = JsonSerializer.Serialize(plain, WorkerJson.Default.WorkerJob);

        Assert.Equal(JsonSerializer.Deserialize(line, WorkerJson.Default.WorkerJob), WorkerJobLine.ParseJob(line));
        Assert.Equal(plain, WorkerJobLine.ParseJob(line.Replace("{", "{\"someday\":[1,{\"x\":null}],", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_release_line_is_read()
    {
        string line = JsonSerializer.Serialize(new WorkerRelease(12, 345), WorkerJson.Default.WorkerRelease);

        Assert.Equal(new WorkerRelease(12, 345), WorkerJobLine.ParseRelease(line));
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("{\"jobId\":1,\"path\":\"/f\",\"name\":\"f\"")]
    [InlineData("{\"jobId\":\"1\",\"path\":\"/f\",\"name\":\"f\",\"server\":\"s\"}")]
    [InlineData("{\"jobId\":1,\"path\":2,\"name\":\"f\",\"server\":\"s\"}")]
    [InlineData("{\"jobId\":1,\"path\":\"/f\",\"name\":\"f\",\"server\":\"s\",\"held\":1}")]
    [InlineData("{\"jobId\":1,\"path\":\"/f\",\"name\":\"f\",\"server\":\"s\",\"datagramSize\":3000000000}")]
    [InlineData("{\"jobId\":1,\"path\":\"/f\",\"name\":\"f\",\"server\":\"s\",\"tftp\":7}")]
    [InlineData("{\"jobId\":1,\"path\":\"/f\",\"name\":\"f\"}")]
    [InlineData("not json")]
    public void A_bad_job_line_is_a_json_exception(string line) =>
        Assert.ThrowsAny<JsonException>(() => WorkerJobLine.ParseJob(line));
}
