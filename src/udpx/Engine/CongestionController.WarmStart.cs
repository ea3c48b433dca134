namespace Udpx.Engine;

/// <summary>A warm start handed to a controller after its handshake, before its first datagram of data.</summary>
internal sealed partial class CongestionController
{
    /// <summary>
    /// Starts from <paramref name="window"/> instead of the window the controller was made with, still in
    /// start-up and paced over the round trip measured so far. Only a controller that has sent nothing yet
    /// takes it (a process-mode worker held after its handshake until the path is its own); any other
    /// ignores it, so a path in use keeps what it measured.
    /// </summary>
    public void StartFrom(int window)
    {
        if (window <= 0)
        {
            return;
        }
        lock (_gate)
        {
            if (_inFlight != 0 || _delivered != 0 || !InStartup)
            {
                return;
            }
            _cwnd = Math.Clamp(window, MinWindow, _maxWindow);
            UpdatePacing();
        }
    }
}
