namespace Udpx.Tftp;

/// <summary>A parsed RRQ or WRQ: file name, transfer mode and the options asked for (names lower-cased, first one wins).</summary>
internal sealed record TftpRequest(TftpOpcode Opcode, string FileName, TftpMode Mode, IReadOnlyDictionary<string, string> Options)
{
    public bool IsWrite => Opcode == TftpOpcode.WriteRequest;
}

/// <summary>How the bytes travel: as they are, or as netascii (lines end in CR LF, a lone CR is CR NUL).</summary>
internal enum TftpMode
{
    Octet,
    NetAscii,
}
