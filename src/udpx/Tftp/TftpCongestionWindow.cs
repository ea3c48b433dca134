namespace Udpx.Tftp;

/// <summary>
/// How many blocks a TFTP sender may have unacknowledged, within the negotiated windowsize: AIMD as
/// TCP Reno does it, in blocks. It starts at up to 4 blocks and doubles per acknowledged window (slow
/// start) up to the threshold, then grows by one block per window; a loss (the receiver acknowledging
/// an earlier block than sent, RFC 7440's signal) halves it, a timeout sets it back to one block.
/// RFC 7440 lets a sender send fewer blocks than the windowsize before waiting ("up to"), so this
/// never breaks the protocol: the receiver sees windows that end early and acknowledges on its timer
/// or on the last block of what it got.
/// </summary>
internal sealed class TftpCongestionWindow
{
    private readonly int _limit;
    private double _window;
    private double _threshold;

    public TftpCongestionWindow(int negotiated)
    {
        _limit = Math.Max(1, negotiated);
        _window = Math.Min(_limit, 4);
        _threshold = _limit;
    }

    /// <summary>Blocks that may be outstanding now, 1 to the negotiated windowsize.</summary>
    public int Blocks => Math.Clamp((int)_window, 1, _limit);

    public int Limit => _limit;

    public void Acknowledged(long blocks)
    {
        if (blocks <= 0)
        {
            return;
        }
        _window = _window < _threshold
            ? Math.Min(_threshold, _window + blocks)
            : _window + (double)blocks / Math.Max(1.0, _window);
        _window = Math.Min(_window, _limit);
    }

    /// <summary>The receiver reported a gap: halve (multiplicative decrease).</summary>
    public void Lost()
    {
        _threshold = Math.Max(1, _window / 2);
        _window = _threshold;
    }

    /// <summary>Nothing came back for a whole timeout: one block, and slow start up to half the old window.</summary>
    public void TimedOut()
    {
        _threshold = Math.Max(1, _window / 2);
        _window = 1;
    }
}
