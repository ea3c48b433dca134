using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Udpx.Protocol;

/// <summary>
/// Optional payload encryption (--encrypt, which needs a key): the file bytes of every data datagram are
/// AES-256-GCM encrypted in place with a key of their own per session (HMAC of the pre-shared key's
/// encryption root and the session id). The 16-byte GCM tag takes the place of the HMAC tag, so a
/// datagram keeps its size; the header (checksum field zeroed) is the associated data. The nonce is the
/// chunk index and the send time in microseconds: a chunk is never sent twice in the same microsecond.
/// Flag bit 1 of the header marks an encrypted datagram.
/// </summary>
internal sealed class PayloadCipher : IDisposable
{
    public const byte Flag = 0x02;
    public const int TagSize = 16;

    private readonly AesGcm _aes;

    public PayloadCipher(PreSharedKey key, ulong sessionId)
    {
        Span<byte> id = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(id, sessionId);
        byte[] sessionKey = HMACSHA256.HashData(key.PayloadEncryption, id);
        _aes = new AesGcm(sessionKey, TagSize);
        CryptographicOperations.ZeroMemory(sessionKey);
    }

    public static bool IsSupported => AesGcm.IsSupported;

    /// <summary>Encrypts the payload of a data datagram of <paramref name="length"/> bytes, appends the tag, seals; returns the new length.</summary>
    public int Seal(Span<byte> buffer, int length)
    {
        buffer[3] |= Flag;
        Span<byte> aad = stackalloc byte[Wire.DataHeaderSize];
        Span<byte> nonce = stackalloc byte[12];
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
        Span<byte> nonce = stackalloc byte[12];
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

    private static void Header(ReadOnlySpan<byte> datagram, Span<byte> aad, Span<byte> nonce)
    {
        datagram[..Wire.DataHeaderSize].CopyTo(aad);
        aad.Slice(4, 4).Clear();
        datagram.Slice(16, 8).CopyTo(nonce);      // chunk index
        datagram.Slice(24, 4).CopyTo(nonce[8..]); // send time, µs
    }

    public void Dispose() => _aes.Dispose();
}
