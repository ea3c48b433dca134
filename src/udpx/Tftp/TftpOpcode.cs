namespace Udpx.Tftp;

/// <summary>The first two bytes of every TFTP packet (RFC 1350, RFC 2347 for OACK).</summary>
internal enum TftpOpcode : ushort
{
    ReadRequest = 1,
    WriteRequest = 2,
    Data = 3,
    Ack = 4,
    Error = 5,
    OptionAck = 6,
}

/// <summary>TFTP error codes (RFC 1350, 8 from RFC 2347).</summary>
internal enum TftpError : ushort
{
    NotDefined = 0,
    FileNotFound = 1,
    AccessViolation = 2,
    DiskFull = 3,
    IllegalOperation = 4,
    UnknownTransferId = 5,
    FileExists = 6,
    NoSuchUser = 7,
    OptionRefused = 8,
}
