using System.Runtime.InteropServices;

namespace Udpx.Net;

/// <summary>
/// An eventfd(2) that another thread signals to end a receive thread's wait at once (<see cref="SocketWait.Readable(System.Net.Sockets.Socket, WakeEvent, long, out bool)"/>).
/// Linux only: <see cref="TryCreate"/> gives null elsewhere, and the wait runs its course.
/// </summary>
internal sealed partial class WakeEvent : IDisposable
{
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;

    private readonly object _gate = new();
    private int _fd;

    private WakeEvent(int fd) => _fd = fd;

    /// <summary>The descriptor to wait on; -1 once disposed.</summary>
    public int Fd => Volatile.Read(ref _fd);

    public static WakeEvent? TryCreate()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        int fd = EventFd(0, NonBlocking | CloseOnExec);
        return fd < 0 ? null : new WakeEvent(fd);
    }

    /// <summary>Ends the wait in progress, or the next one. Safe from any thread, also after <see cref="Dispose"/>.</summary>
    public void Signal()
    {
        // Under the lock: a descriptor closed meanwhile may already be another file's.
        lock (_gate)
        {
            if (_fd >= 0)
            {
                ulong one = 1;
                _ = Write(_fd, ref one, sizeof(ulong));
            }
        }
    }

    /// <summary>Takes the signals given so far (the descriptor is readable until then).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            if (_fd >= 0)
            {
                _ = Read(_fd, out _, sizeof(ulong));
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_fd >= 0)
            {
                _ = Close(_fd);
                _fd = -1;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, ref ulong value, nuint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, out ulong value, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
