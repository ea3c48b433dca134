using System.CommandLine;
using Udpx.Common;
using Udpx.Engine;
using Udpx.Tftp;

namespace Udpx.Cli;

/// <summary>
/// --blksize and --windowsize of `send --tftp` and `get --tftp`. Defaults: 1468-byte blocks (a
/// 1472-byte DATA payload fits a 1500-byte Ethernet MTU) and a windowsize of 16 (docs/tftp.md, measured),
/// within which the sender's congestion window moves.
/// </summary>
internal sealed class TftpClientOptions
{
    public const int DefaultWindowSize = 16;

    public Option<int> BlockSize { get; } = new("--blksize")
    {
        Description = "TFTP block size to ask for (RFC 2348, 8 to 65464; 1468 fits Ethernet)",
        DefaultValueFactory = _ => TftpTransferOptions.EthernetBlockSize,
    };

    public Option<int> WindowSize { get; } = new("--windowsize")
    {
        Description = "TFTP blocks per acknowledgement to ask for (RFC 7440, 1 to 64; the congestion window may send fewer)",
        DefaultValueFactory = _ => DefaultWindowSize,
    };

    public IEnumerable<Option> All => [BlockSize, WindowSize];

    public TftpTransferSettings Read(ParseResult result, bool read)
    {
        int blksize = result.GetValue(BlockSize);
        int window = result.GetValue(WindowSize);
        if (blksize is < TftpTransferOptions.MinBlockSize or > TftpTransferOptions.MaxBlockSize)
        {
            throw new UserError(ExitCodes.Usage, "--blksize must be between " + TftpTransferOptions.MinBlockSize + " and " + TftpTransferOptions.MaxBlockSize);
        }
        if (window is < 1 or > 64)
        {
            throw new UserError(ExitCodes.Usage, "--windowsize must be between 1 and 64");
        }
        return new TftpTransferSettings(read, blksize, window);
    }
}
