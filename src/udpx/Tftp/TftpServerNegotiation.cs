namespace Udpx.Tftp;

/// <summary>
/// The server's side of option negotiation (RFC 2347): each option it understands and can honour is
/// answered in the OACK, possibly lowered (blksize, windowsize); anything else is left out, which the
/// client reads as "not accepted". Without any accepted option there is no OACK, as RFC 1350.
/// </summary>
internal static class TftpServerNegotiation
{
    /// <param name="fileSize">For a read, the size to announce as tsize (netascii: the encoded size); ignored for a write.</param>
    public static TftpTransferOptions Negotiate(TftpRequest request, TftpServerOptions limits, long fileSize, List<KeyValuePair<string, string>> acknowledged)
    {
        var options = new TftpTransferOptions();
        var asked = request.Options;
        if (TftpTransferOptions.ParseInRange(asked, "blksize", TftpTransferOptions.MinBlockSize, int.MaxValue) is long blockSize)
        {
            int chosen = (int)Math.Min(blockSize, limits.MaxBlockSize);
            options = options with { BlockSize = chosen };
            acknowledged.Add(new("blksize", TftpTransferOptions.Text(chosen)));
        }
        if (TftpTransferOptions.ParseInRange(asked, "timeout", 1, 255) is long seconds)
        {
            options = options with { Timeout = TimeSpan.FromSeconds(seconds) };
            acknowledged.Add(new("timeout", TftpTransferOptions.Text(seconds)));
        }
        else
        {
            options = options with { Timeout = limits.DefaultTimeout };
        }
        if (TftpTransferOptions.ParseInRange(asked, "tsize", 0, long.MaxValue) is long size)
        {
            long announced = request.IsWrite ? size : fileSize;
            options = options with { TransferSize = announced };
            acknowledged.Add(new("tsize", TftpTransferOptions.Text(announced)));
        }
        if (TftpTransferOptions.ParseInRange(asked, "windowsize", 1, 65535) is long window)
        {
            int chosen = (int)Math.Min(window, limits.MaxWindowSize);
            options = options with { WindowSize = chosen };
            acknowledged.Add(new("windowsize", TftpTransferOptions.Text(chosen)));
        }
        return options;
    }
}
