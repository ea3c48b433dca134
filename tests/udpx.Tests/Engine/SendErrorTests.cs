using System.Net;
using System.Net.Sockets;
using Udpx.Engine;

namespace Udpx.Tests.Engine;

/// <summary>
/// A send error (a full queue on a loaded host, an ICMP "port unreachable" left pending) is a loss the protocol
/// repairs, so the send loop takes it as a code, not as a SocketException: the first exception a process throws
/// allocates about 6 KB, and that is what once made a worker's "nothing per datagram" figure 6.5 KB larger in CI.
/// </summary>
public sealed class SendErrorTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "udpx-senderror-" + Guid.NewGuid().ToString("N"));

    public SendErrorTests() => File.WriteAllBytes(_file, new byte[100_000]);

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void A_refused_send_comes_back_as_its_code_and_allocates_almost_nothing()
    {
        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var job = new TransferJob(1, _file, "f", "127.0.0.1:" + closedPort, new TransferSettings());
        using var session = TransferSession.TryOpen(job, new TransferCounters(), null, TimeProvider.System, out var failure);
        Assert.NotNull(session);

        byte[] datagram = new byte[200];
        SocketError first = session.SendBatch(datagram, 1);
        // The kernel's ICMP answer comes back on loopback at once; the next call reports it.
        SocketError refused = SocketError.Success;
        long allocated = 0;
        for (int i = 0; i < 50 && refused == SocketError.Success; i++)
        {
            Thread.Sleep(10);
            long before = GC.GetAllocatedBytesForCurrentThread();
            refused = session.SendBatch(datagram, 1);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(SocketError.Success, first);
        Assert.Equal(SocketError.ConnectionRefused, refused);
        Assert.True(allocated < 1024, $"{allocated} B for one refused send");
    }
}
