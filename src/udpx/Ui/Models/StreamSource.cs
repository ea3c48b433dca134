using Udpx.Net;

namespace Udpx.Ui.Models;

/// <summary>
/// One ring read by a <see cref="StreamFeed"/>: its cursor, how its records are labelled, and the time of
/// the first record seen, from which its datagrams are stamped (each ring may have its own clock).
/// </summary>
internal sealed class StreamSource(DatagramRing ring, Func<DatagramRecord, string> label)
{
    private long _cursor;

    public DatagramRing Ring { get; } = ring;

    public Func<DatagramRecord, string> Label { get; } = label;

    public long Origin { get; private set; } = -1;

    public int Read(Span<DatagramRecord> destination, out long missed)
    {
        int n = Ring.ReadSince(ref _cursor, destination, out missed);
        if (n > 0 && Origin < 0)
        {
            Origin = destination[0].TimeMicros;
        }
        return n;
    }
}
