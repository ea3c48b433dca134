using System.Globalization;

namespace Udpx.Tftp;

/// <summary>What a transfer runs with once the options are settled (RFC 2348, 2349, 7440); RFC 1350's values by default.</summary>
internal readonly record struct TftpTransferOptions
{
    public const int DefaultBlockSize = 512;
    public const int MinBlockSize = 8;
    public const int MaxBlockSize = 65464;

    /// <summary>1468 bytes: a DATA packet of 1472 bytes fills a 1500-byte Ethernet MTU (20 bytes of IPv4, 8 of UDP, 4 of TFTP).</summary>
    public const int EthernetBlockSize = 1468;

    /// <summary>
    /// Socket buffers of every transfer's socket, both ends: a whole RFC 7440 window of the largest blocks
    /// (64 × 65,468 bytes) fits, so a window sent in one burst is not dropped at the receiving socket
    /// (the kernel's default, 208 KiB, holds three 64 KiB blocks).
    /// </summary>
    public const int SocketBufferBytes = 4 << 20;

    public TftpTransferOptions()
    {
    }

    public int BlockSize { get; init; } = DefaultBlockSize;

    /// <summary>Blocks sent before an ACK is awaited (RFC 7440); 1 is RFC 1350's lockstep.</summary>
    public int WindowSize { get; init; } = 1;

    /// <summary>Retransmission timeout (RFC 2349 "timeout", whole seconds on the wire).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The file's size as announced (RFC 2349 "tsize"), when known.</summary>
    public long? TransferSize { get; init; }

    public long TimeoutMicros => (long)(Timeout.TotalMilliseconds * 1000);

    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A decimal option value within [min, max], or null (RFC 2347: an option the peer cannot parse is ignored).</summary>
    public static long? ParseInRange(IReadOnlyDictionary<string, string> options, string name, long min, long max)
    {
        if (!options.TryGetValue(name, out string? text)
            || text.Length is 0 or > 19
            || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            || value < min || value > max)
        {
            return null;
        }
        return value;
    }
}
