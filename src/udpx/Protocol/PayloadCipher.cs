using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Udpx.Protocol;

/// <summary>
/// Optional payload encryption (--encrypt, which needs a key): the file bytes of every data datagram are
/// AES-256-GCM encrypted in place. Key and IV are HKDF-SHA256 over the pre-shared key's encryption root,
/// salted with the session id and a fresh random from each side (Offer and Accept), so no two sessions
/// share a key even when a cloned machine repeats its random numbers. The nonce is the IV XOR the
/// datagram's packet number (RFC 9001 §5.3): packet numbers never repeat in a session, so nonces are
/// unique by construction, whatever the clock does. The 16-byte GCM tag takes the place of the HMAC tag,
/// so a datagram keeps its size; the header (checksum field zeroed) is the associated data. Flag bit 1 of
/// the header marks an encrypted datagram.
/// </summary>
internal sealed class PayloadCipher : IDisposable
{
    public const byte Flag = 0x02;
    public const int TagSize = 16;
    private const int NonceSize = 12;

    private readonly AesGcm _aes;
    private readonly byte[] _iv = new byte[NonceSize];

    public PayloadCipher(PreSharedKey key, ulong sessionId, UInt128 clientRandom, UInt128 serverRandom)
    {
        Span<byte> salt = stackalloc byte[8 + (2 * Wire.RandomSize)];
        BinaryPrimitives.WriteUInt64BigEndian(salt, sessionId);
        BinaryPrimitives.WriteUInt128BigEndian(salt[8..], clientRandom);
        BinaryPrimitives.WriteUInt128BigEndian(salt[(8 + Wire.RandomSize)..], serverRandom);
        Span<byte> material = stackalloc byte[32 + NonceSize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key.PayloadEncryption, material, salt, "udpx v3 payload key and iv"u8);
        _aes = new AesGcm(material[..32], TagSize);
        material[32..].CopyTo(_iv);
        CryptographicOperations.ZeroMemory(material);
    }

    public static bool IsSupported => AesGcm.IsSupported;

    /// <summary>Encrypts the payload of a data datagram of <paramref name="length"/> bytes, appends the tag, seals; returns the new length.</summary>
    public int Seal(Span<byte> buffer, int length)
    {
        buffer[3] |= Flag;
        Span<byte> aad = stackalloc byte[Wire.DataHeaderSize];
        Span<byte> nonce = stackalloc byte[NonceSize];
        Header(buffer, aad, nonce);
        var payload = buffer[Wire.DataHeaderSize..length];
        _aes.Encrypt(nonce, payload, payload, buffer.Slice(length, TagSize), aad);
        Checksum.Seal(buffer[..(length + TagSize)]);
        return length + TagSize;
    }

    /// <summary>Decrypts an encrypted data datagram into <paramref name="plain"/>; false if it was forged or damaged.</summary>
    public bool TryOpen(ReadOnlySpan<byte> datagram, Span<byte> plain, out int length)
    {
        length = datagram.Length - TagSize;
        if (length <= Wire.DataHeaderSize)
        {
            return false;
        }
        Span<byte> aad = stackalloc byte[Wire.DataHeaderSize];
        Span<byte> nonce = stackalloc byte[NonceSize];
        Header(datagram, aad, nonce);
        datagram[..Wire.DataHeaderSize].CopyTo(plain);
        try
        {
            _aes.Decrypt(nonce, datagram[Wire.DataHeaderSize..length], datagram.Slice(length, TagSize), plain[Wire.DataHeaderSize..length], aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <summary>The nonce of the datagram numbered <paramref name="packetNumber"/>: the IV XOR the number, right-aligned.</summary>
    public void NonceFor(ulong packetNumber, Span<byte> nonce)
    {
        _iv.CopyTo(nonce);
        ulong low = BinaryPrimitives.ReadUInt64BigEndian(nonce[4..]) ^ packetNumber;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], low);
    }

    private void Header(ReadOnlySpan<byte> datagram, Span<byte> aad, Span<byte> nonce)
    {
        datagram[..Wire.DataHeaderSize].CopyTo(aad);
        aad.Slice(4, 4).Clear();
        NonceFor(DatagramHeader.PacketNumberOf(datagram), nonce);
    }

    public void Dispose() => _aes.Dispose();
}
