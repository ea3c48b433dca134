namespace Udpx.Protocol;

/// <summary>Why a server refused or ended a session. Carried in Reject and Done datagrams.</summary>
internal enum RejectReason : ushort
{
    None = 0,
    CookieExpired = 1,
    NameRejected = 2,
    TooLarge = 3,
    DiskFull = 4,
    DigestMismatch = 5,
    ServerBusy = 6,
    SessionConflict = 7,
    IoError = 8,
    Cancelled = 9,
    Expired = 10,
    UnknownSession = 11,
    BadOffer = 12,
    NameBusy = 13,
    Exists = 14,
}

internal static class RejectReasonText
{
    public static string Describe(RejectReason reason) => reason switch
    {
        RejectReason.None => "ok",
        RejectReason.CookieExpired => "handshake cookie expired",
        RejectReason.NameRejected => "file name rejected",
        RejectReason.TooLarge => "file too large for this server",
        RejectReason.DiskFull => "server disk full",
        RejectReason.DigestMismatch => "digest mismatch: the stored bytes differ from the sent file",
        RejectReason.ServerBusy => "server busy: too many sessions",
        RejectReason.SessionConflict => "session id already in use",
        RejectReason.IoError => "server I/O error",
        RejectReason.Cancelled => "cancelled",
        RejectReason.Expired => "session expired after being idle",
        RejectReason.UnknownSession => "unknown session",
        RejectReason.BadOffer => "malformed offer",
        RejectReason.NameBusy => "another transfer of this name is in progress",
        RejectReason.Exists => "a file of this name already exists on the server and was not replaced (the server replaces files only with --overwrite)",
        _ => "reason " + ((ushort)reason).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
