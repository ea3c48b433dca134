using Udpx.Tftp;

namespace Udpx.Tests.Tftp;

/// <summary>Reading TFTP packets field by field: a packet of another kind is never taken for the one asked for.</summary>
public sealed class TftpCodecTests
{
    [Fact]
    public void An_error_packet_gives_its_code_and_message_with_or_without_its_nul()
    {
        Assert.True(TftpCodec.TryReadError([0, 5, 0, 1, .. "missing"u8, 0], out var code, out string message));
        Assert.Equal(TftpError.FileNotFound, code);
        Assert.Equal("missing", message);
        Assert.True(TftpCodec.TryReadError([0, 5, 0, 3, .. "full"u8], out code, out message));
        Assert.Equal(TftpError.DiskFull, code);
        Assert.Equal("full", message);
    }

    /// <summary>A DATA packet read as an error gave its block number as the code and its payload as the message.</summary>
    [Theory]
    [InlineData(new byte[] { 0, 3, 0, 1, (byte)'h', (byte)'i' })]
    [InlineData(new byte[] { 0, 4, 0, 2 })]
    [InlineData(new byte[] { 0, 6, (byte)'t', (byte)'s', (byte)'i', (byte)'z', (byte)'e', 0, (byte)'1', 0 })]
    [InlineData(new byte[] { 0, 1, (byte)'f', 0, (byte)'o', (byte)'c', (byte)'t', (byte)'e', (byte)'t', 0 })]
    [InlineData(new byte[] { 0, 9, 0, 1 })]
    [InlineData(new byte[] { 0, 5, 0 })]
    public void A_packet_that_is_not_an_error_is_not_read_as_one(byte[] packet)
    {
        Assert.False(TftpCodec.TryReadError(packet, out var code, out string message));
        Assert.Equal(default, code);
        Assert.Empty(message);
    }
}
