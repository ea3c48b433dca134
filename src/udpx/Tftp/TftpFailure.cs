namespace Udpx.Tftp;

/// <summary>How a transfer ended badly: the message for the user, and the ERROR packet still to send to the peer (if any).</summary>
internal struct TftpFailure
{
    private TftpError _code;
    private bool _errorDue;

    public string? Message { get; private set; }

    public bool Failed => Message is not null;

    /// <summary>We give up: the peer hears why (an ERROR packet) once.</summary>
    public void Local(TftpError code, string message)
    {
        Message = message;
        _code = code;
        _errorDue = true;
    }

    /// <summary>The peer gave up (it sent an ERROR): nothing goes back (RFC 1350: an error is never acknowledged).</summary>
    public void FromPeer(ReadOnlySpan<byte> packet)
    {
        TftpCodec.TryReadError(packet, out var code, out string text);
        Message = "the peer ended the transfer: " + (text.Length > 0 ? text : "error " + (int)code) + " (TFTP error " + (int)code + ")";
        _errorDue = false;
    }

    /// <summary>The ERROR packet, once.</summary>
    public int TryWriteError(Span<byte> buffer)
    {
        if (!_errorDue)
        {
            return 0;
        }
        _errorDue = false;
        return TftpCodec.WriteError(buffer, _code, Message ?? string.Empty);
    }
}
