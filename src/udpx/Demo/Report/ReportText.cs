using System.Globalization;

namespace Udpx.Demo.Report;

/// <summary>The report's fixed prose: the assignment, what each mode is, how to read the charts and the streams.</summary>
internal static class ReportText
{
    public static readonly string[] Case =
    [
        "The assignment: write multi-process, multi-thread, multi-process asynchronous and multi-thread asynchronous programs "
            + "that transfer files over UDP, and design the network for them in GNS3. A client node downloads two images from the web, "
            + "then sends image 1 to server 1 and image 2 to server 2; each server shows the datagrams it receives.",
        "UDP itself loses, duplicates and reorders datagrams and says nothing about it, so udpx adds what a file transfer needs: "
            + "a cookie handshake, a checksum on every datagram, selective acknowledgements, retransmission of what was lost, a congestion "
            + "window, and an XxHash128 digest of the whole file that the server checks before the file gets its name. "
            + "The four modes are four ways of dispatching the same transfers through the same engine.",
        "This report was made on one machine by udpx demo: the two servers ran on loopback (127.0.0.1) in place of the GNS3 nodes, "
            + "the images were downloaded over HTTP from a web server inside the demo, then sent under each mode, and every file the servers "
            + "stored was compared byte for byte with its source.",
    ];

    public static readonly (string Mode, string Text)[] Modes =
    [
        ("process", "one child OS process per transfer (udpx re-executes itself as a worker), all started, then all awaited; progress and results come back as JSON lines"),
        ("thread", "one dedicated thread per transfer with blocking socket calls, joined"),
        ("process-async", "a pool of long-lived worker processes fed jobs asynchronously; the parent holds a future per job, collected with a timeout"),
        ("thread-async", "asynchronous socket I/O on the thread pool, a bounded number of transfers in flight, a future per job"),
    ];

    public const string NoLossNote = "The path was loopback without loss: retransmissions, if any, come from the sender's own loss detection on a busy machine.";

    public const string Streams = "As the original lab servers printed every datagram: when it arrived (ms after the server's first datagram of the run), "
        + "the sender's address, the file, the chunk index, the bytes received so far, the datagram's payload length and its first bytes in hex "
        + "(89 50 4e 47 is the start of a PNG file).";

    public static string LossNote(double percent) =>
        "An impairment relay in front of each server dropped " + percent.ToString("0.##", CultureInfo.InvariantCulture)
        + "% of the datagrams each way (demo --loss): the retransmissions in the tables are the recovery.";

    public static string Timelines(TimeSpan interval) =>
        "A line per mode for the transfer to each server: throughput (bytes acknowledged per interval) and the sender's smoothed round-trip time, "
        + "sampled every " + interval.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms. In the process modes the figures "
        + "come from the workers' progress reports, a few times a second, so their lines are coarser.";
}
