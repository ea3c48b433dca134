using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Udpx.Net;

/// <summary>
/// Waits for a socket to become readable, to the microsecond. <see cref="Socket.Poll(int, SelectMode)"/> takes
/// microseconds but waits in whole milliseconds (poll(2)), so a paced sender's wait of a few hundred
/// microseconds returned at once and the sender spun on its core, taking it from the receiver on the same
/// host. On Linux this is ppoll(2), whose timeout is a timespec; elsewhere, Socket.Poll.
/// </summary>
internal static partial class SocketWait
{
    private const short PollIn = 0x1;
    private const int Interrupted = 4;

    /// <summary>True when the socket is readable within <paramref name="micros"/>.</summary>
    public static bool Readable(Socket socket, long micros)
    {
        if (!OperatingSystem.IsLinux())
        {
            return socket.Poll((int)Math.Min(micros, int.MaxValue), SelectMode.SelectRead);
        }
        return Wait(socket, wakeFd: -1, micros, out _);
    }

    /// <summary>
    /// True when the socket is readable within <paramref name="micros"/>; the wait also ends when
    /// <paramref name="wake"/> is signalled (<paramref name="woken"/>; the caller clears it). Linux only, as
    /// <see cref="WakeEvent"/> is.
    /// </summary>
    public static bool Readable(Socket socket, WakeEvent wake, long micros, out bool woken) =>
        Wait(socket, wake.Fd, micros, out woken);

    /// <summary>ppoll(2) on the socket and, when <paramref name="wakeFd"/> is one, a wake descriptor beside it.</summary>
    private static bool Wait(Socket socket, int wakeFd, long micros, out bool woken)
    {
        var fds = new PollPair
        {
            Socket = new PollFd { Fd = (int)socket.SafeHandle.DangerousGetHandle(), Events = PollIn },
            Wake = new PollFd { Fd = wakeFd, Events = PollIn },
        };
        var timeout = new TimeSpec { Seconds = micros / 1_000_000, Nanoseconds = micros % 1_000_000 * 1_000 };
        int ready = PPoll(ref fds.Socket, wakeFd < 0 ? 1u : 2u, ref timeout, 0);
        if (ready < 0)
        {
            // A signal cut the wait short: the caller's loop looks at its deadlines again.
            woken = false;
            return Marshal.GetLastPInvokeError() != Interrupted && socket.Poll(0, SelectMode.SelectRead);
        }
        woken = (fds.Wake.Returned & PollIn) != 0;
        // Any event on the socket counts (an error, too): the receive that follows reports it.
        return fds.Socket.Returned != 0;
    }

    /// <summary>Two descriptors for one ppoll(2), laid out as its array.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PollPair
    {
        public PollFd Socket;
        public PollFd Wake;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "ppoll", SetLastError = true)]
    private static partial int PPoll(ref PollFd fds, nuint count, ref TimeSpec timeout, nint signalMask);
}
