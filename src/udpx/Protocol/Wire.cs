namespace Udpx.Protocol;

/// <summary>Sizes and limits of the udpx wire format (version 3). See docs/protocol.md.</summary>
internal static class Wire
{
    public const byte Magic = 0x55; // 'U'
    public const byte Version = 3;

    /// <summary>magic, version, type, flags, checksum, session id, packet number.</summary>
    public const int HeaderSize = 24;

    /// <summary>Where the packet number sits in every datagram.</summary>
    public const int PacketNumberOffset = 16;

    /// <summary>The size of a connection random in Offer and Accept (the payload keys' salt).</summary>
    public const int RandomSize = 16;

    /// <summary>The size of the file identity in an Offer (what lets a server resume a partial file safely).</summary>
    public const int IdentitySize = 16;

    /// <summary>Header, chunk index, send timestamp.</summary>
    public const int DataHeaderSize = HeaderSize + 8 + 4;

    /// <summary>A Hello is padded to this size so that the Cookie reply is always smaller (no amplification).</summary>
    public const int HelloSize = 64;

    public const int CookieSize = HeaderSize + 8 + 8 + 8;
    public const int OfferFixedSize = HeaderSize + 8 + 8 + 8 + 2 + 2 + RandomSize + IdentitySize + 2;
    public const int AcceptSize = HeaderSize + 8 + 4 + 2 + 2 + RandomSize;
    public const int AckFixedSize = HeaderSize + 8 + 8 + 4 + 4 + 2;
    public const int DoneFixedSize = HeaderSize + 2 + 8 + 2;
    public const int RejectFixedSize = HeaderSize + 2 + 2;
    public const int FinishSize = HeaderSize + 8 + 16;
    public const int AbortSize = HeaderSize + 2;

    /// <summary>Largest UDP payload that fits a 1500-byte Ethernet MTU over IPv4.</summary>
    public const int EthernetDatagramSize = 1472;

    /// <summary>Largest UDP payload over IPv4.</summary>
    public const int MaxDatagramSize = 65507;

    /// <summary>Smallest datagram size udpx accepts: room for a full offer with a <see cref="MaxPathBytes"/> path and a tag.</summary>
    public const int MinDatagramSize = 512;

    /// <summary>Longest component of a file's path, in UTF-8 bytes, as most file systems allow.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Longest relative path an Offer carries (components joined by "/"), in UTF-8 bytes.</summary>
    public const int MaxPathBytes = 400;

    /// <summary>Most components (folders and the file) in a relative path.</summary>
    public const int MaxPathDepth = 32;

    /// <summary>Longest human-readable message in a Reject or Done.</summary>
    public const int MaxMessageBytes = 200;

    /// <summary>Where the name length sits in an Offer.</summary>
    public const int OfferNameLengthOffset = OfferFixedSize - 2;

    public static int ChunkSizeFor(int datagramSize) => datagramSize - DataHeaderSize;
}
