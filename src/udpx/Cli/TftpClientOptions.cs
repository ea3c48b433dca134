using System.CommandLine;
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

    public Option<int> BlockSize { get; } = TypedOption.Of(
        "--blksize", null, "TFTP block size to ask for (RFC 2348, 8 to 65464; 1468 fits Ethernet)",
        OptionValues.WholeNumber(TftpTransferOptions.MinBlockSize, TftpTransferOptions.MaxBlockSize, " bytes"), () => TftpTransferOptions.EthernetBlockSize);

    public Option<int> WindowSize { get; } = TypedOption.Of(
        "--windowsize", null, "TFTP blocks per acknowledgement to ask for (RFC 7440, 1 to 64; the congestion window may send fewer)",
        OptionValues.WholeNumber(1, 64, " blocks"), () => DefaultWindowSize);

    public IEnumerable<Option> All => [BlockSize, WindowSize];

    public TftpTransferSettings Read(ParseResult result, bool read)
    {
        return new TftpTransferSettings(read, result.GetValue(BlockSize), result.GetValue(WindowSize));
    }
}
