namespace Udpx.Tftp;

/// <summary>
/// The folder a TFTP server reads from and writes to. A seam: the real one (Server/TftpFolder) applies
/// the server's name policy, never leaves its folder and stores through a temporary file.
/// </summary>
internal interface ITftpFiles
{
    /// <summary>Opens a file for an RRQ, or says why not (error 1 for a missing file, 2 for a name that is not allowed).</summary>
    TftpRefusal? TryOpenRead(string name, out Stream? stream, out long length);

    /// <summary>Claims a name for a WRQ; <paramref name="size"/> is the announced tsize when the client sent one.</summary>
    TftpRefusal? TryCreate(string name, long? size, out ITftpIncomingFile? file);
}

/// <summary>A file being written by a WRQ: bytes go to <see cref="Stream"/>; only <see cref="Commit"/> gives it its name.</summary>
internal interface ITftpIncomingFile
{
    Stream Stream { get; }

    /// <summary>Puts the file under its name (never over an existing one unless the server overwrites), or says why not.</summary>
    TftpRefusal? Commit();

    /// <summary>Deletes the temporary file and frees the name; nothing appears under it. Never throws; safe to call more than once.</summary>
    void Discard();

    /// <summary>What the peer hears when a write into <see cref="Stream"/> failed: a fixed text, since an exception's message names the server's paths.</summary>
    TftpRefusal Failed(IOException error);
}

/// <summary>Why a request or a commit was refused: the TFTP error code and a message for the peer and the log.</summary>
internal readonly record struct TftpRefusal(TftpError Code, string Message);
