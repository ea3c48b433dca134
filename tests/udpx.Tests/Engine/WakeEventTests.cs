using System.Net;
using System.Net.Sockets;
using Udpx.Net;

namespace Udpx.Tests.Engine;

/// <summary>
/// The server's receive thread waits on its socket and on a wake event at once: a file made or stored on another
/// thread ends the wait, so its Accept or Done goes out then and not at the next poll.
/// </summary>
public sealed class WakeEventTests
{
    private static readonly long Long = (long)TimeSpan.FromSeconds(30).TotalMicroseconds;

    [SkippableFact]
    public void A_signal_from_another_thread_ends_a_wait_on_a_quiet_socket()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "eventfd is Linux's");
        using var socket = Bound();
        using var wake = WakeEvent.TryCreate()!;

        var signaller = Task.Delay(50).ContinueWith(_ => wake.Signal());
        bool readable = SocketWait.Readable(socket, wake, Long, out bool woken);
        // The wait may end before the signalling task has finished returning: wait for it before the event goes.
        Assert.True(signaller.Wait(TimeSpan.FromSeconds(30)));

        Assert.True(woken, "the wait ran out instead of being woken");
        Assert.False(readable);
    }

    [SkippableFact]
    public void A_signal_given_before_the_wait_is_kept_until_cleared()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "eventfd is Linux's");
        using var socket = Bound();
        using var wake = WakeEvent.TryCreate()!;
        wake.Signal();
        wake.Signal();

        Assert.False(SocketWait.Readable(socket, wake, Long, out bool first));
        Assert.False(SocketWait.Readable(socket, wake, 0, out bool again));
        wake.Clear();
        Assert.False(SocketWait.Readable(socket, wake, 0, out bool cleared));

        Assert.Equal((true, true, false), (first, again, cleared));
    }

    [SkippableFact]
    public void A_datagram_still_reads_as_readable_and_a_signal_after_dispose_is_nothing()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "eventfd is Linux's");
        using var socket = Bound();
        var wake = WakeEvent.TryCreate()!;
        using (var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            sender.SendTo(new byte[8], socket.LocalEndPoint!);
        }

        Assert.True(SocketWait.Readable(socket, wake, Long, out bool woken));
        Assert.False(woken);
        wake.Dispose();
        wake.Signal();
        wake.Clear();
        Assert.Equal(-1, wake.Fd);
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }
}
