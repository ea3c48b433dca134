using Udpx.Modes;

namespace Udpx.Tests.Integration;

/// <summary>
/// A worker's standard error as the parent reads it: with tracing, the controller's lines go to the parent's
/// standard error labelled with the job of the last marker; without it, nothing is forwarded and the exit
/// message is the last line, as before.
/// </summary>
public sealed class WorkerErrorLinesTests
{
    private const string Errors =
        "cc 10 r=0 cwnd=16.0\n"
        + WorkerErrorLines.JobMarker + "3\n"
        + "cc 20 r=1 cwnd=32.0\n"
        + "cc 30 r=2 cwnd=64.0\n"
        + WorkerErrorLines.JobMarker + "4\n"
        + "cc 40 r=3 cwnd=44.8\n"
        + "udpx worker: bad release line: no\n"
        + WorkerErrorLines.JobMarker + "99\n"
        + "cc 50 r=4 cwnd=45.0\n";

    private static string? Label(int id) => id switch
    {
        3 => "a.png -> 10.0.0.1:9000",
        4 => "b.png -> 10.0.0.2:9000",
        _ => null,
    };

    [Fact]
    public async Task Tracing_forwards_each_trace_line_with_its_transfer_and_keeps_the_last_other_line()
    {
        var forwarded = new StringWriter { NewLine = "\n" };

        string last = await WorkerErrorLines.ReadAsync(new StringReader(Errors), forwarded, 1234, Label);

        Assert.Equal(
            "[worker 1234] cc 10 r=0 cwnd=16.0\n"
            + "[a.png -> 10.0.0.1:9000, worker 1234] cc 20 r=1 cwnd=32.0\n"
            + "[a.png -> 10.0.0.1:9000, worker 1234] cc 30 r=2 cwnd=64.0\n"
            + "[b.png -> 10.0.0.2:9000, worker 1234] cc 40 r=3 cwnd=44.8\n"
            // A job the parent does not know keeps the label before it.
            + "[b.png -> 10.0.0.2:9000, worker 1234] cc 50 r=4 cwnd=45.0\n",
            forwarded.ToString());
        Assert.Equal("udpx worker: bad release line: no", last);
    }

    [Fact]
    public async Task Without_tracing_nothing_is_forwarded_and_the_last_line_is_the_message()
    {
        string last = await WorkerErrorLines.ReadAsync(new StringReader("first\nudpx worker: bad job line: x\n\n"), null, 1234, Label);

        Assert.Equal("udpx worker: bad job line: x", last);
        Assert.Equal("cc 50 r=4 cwnd=45.0", await WorkerErrorLines.ReadAsync(new StringReader(Errors), null, 1234, Label));
    }
}
