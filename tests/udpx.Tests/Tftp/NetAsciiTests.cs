using System.Text;
using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>netascii both ways: LF is CR LF on the wire, a bare CR is CR NUL, and a CR split across two blocks still decodes.</summary>
public sealed class NetAsciiTests
{
    [Fact]
    public void The_encoder_writes_cr_lf_and_cr_nul()
    {
        var encoded = new MemoryStream();
        new NetAsciiEncoder(new MemoryStream("a\nb\rc"u8.ToArray())).CopyTo(encoded);
        Assert.Equal("a\r\nb\r\0c"u8.ToArray(), encoded.ToArray());
        Assert.Equal(7, NetAsciiEncoder.EncodedLength(new MemoryStream("a\nb\rc"u8.ToArray())));
    }

    [Fact]
    public void The_decoder_reads_cr_lf_and_cr_nul_even_split_across_blocks()
    {
        var file = new MemoryStream();
        var decoder = new NetAsciiDecoder(file);
        decoder.Write("a\r"u8);
        decoder.Write("\nb\r"u8);
        decoder.Write("\0c\r"u8);
        decoder.Flush();
        Assert.Equal("a\nb\rc\r"u8.ToArray(), file.ToArray());
    }

    [Fact]
    public void A_netascii_transfer_through_the_state_machines_gives_back_the_unix_file()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 300; i++)
        {
            text.Append(i % 5 == 0 ? "cr\r" : "line\n");
        }
        byte[] file = Encoding.ASCII.GetBytes(text.ToString());
        var sink = new MemoryStream();
        var options = new TftpTransferOptions { BlockSize = 8 };
        var sender = new TftpBlockSender(new NetAsciiEncoder(new MemoryStream(file)), options, 5);
        var receiver = new TftpBlockReceiver(new NetAsciiDecoder(sink), options, 5, long.MaxValue, [0, 4, 0, 0], 0);
        receiver.TryWrite(new byte[8], 0);
        new TftpPump(sender, receiver).Run();
        Assert.Equal(file, sink.ToArray());
    }
}
