namespace Udpx.Ui.Models;

/// <summary>Which listener a row of the sessions table comes from: udpx's own, or the TFTP one and which way.</summary>
internal enum SessionKind
{
    Udpx,

    /// <summary>RRQ: the server sends the file.</summary>
    TftpRead,

    /// <summary>WRQ: the server stores the file.</summary>
    TftpWrite,
}
