using System.Security.Cryptography;
using System.Text;
using Udpx.Common;

namespace Udpx.Protocol;

/// <summary>
/// A key both ends know (--key-file, or the UDPX_KEY environment variable; never the command line, so it
/// does not show in process listings). One key per direction is derived from it, so that a datagram from
/// the server can never be replayed to it as if it came from a client.
/// </summary>
internal sealed class PreSharedKey
{
    public const string EnvironmentVariable = "UDPX_KEY";

    /// <summary>
    /// Fewer bytes than this are refused, not stretched: a KDF cannot add entropy to a short secret, and
    /// one recorded tagged datagram lets anyone test guesses offline (docs/protocol.md, "Key length").
    /// </summary>
    public const int MinimumBytes = 16;

    private const string Advice = "; run `udpx keygen FILE` to make a key of 32 random bytes and give it to both ends with --key-file FILE";

    private PreSharedKey(byte[] secret)
    {
        byte[] root = SHA256.HashData(secret);
        ClientToServer = HMACSHA256.HashData(root, "udpx client to server"u8);
        ServerToClient = HMACSHA256.HashData(root, "udpx server to client"u8);
        PayloadEncryption = HMACSHA256.HashData(root, "udpx payload encryption"u8);
        CryptographicOperations.ZeroMemory(root);
    }

    public byte[] ClientToServer { get; }

    public byte[] ServerToClient { get; }

    /// <summary>The root of the per-session payload keys (--encrypt).</summary>
    public byte[] PayloadEncryption { get; }

    /// <summary>Where the key came from, for messages; never the key itself.</summary>
    public string Source { get; private init; } = string.Empty;

    /// <summary>The key file's path when it came from one (worker processes read it themselves).</summary>
    public string? File { get; private init; }

    /// <summary>Loads the key from <paramref name="keyFile"/>, else from UDPX_KEY, else returns null (no key).</summary>
    public static PreSharedKey? Load(string? keyFile)
    {
        if (keyFile is not null)
        {
            byte[] bytes;
            try
            {
                // A FIFO would block the read and /dev/zero never end it.
                using var file = new FileStream(RegularFile.OpenRead(keyFile), FileAccess.Read, bufferSize: 0);
                bytes = new byte[file.Length];
                file.ReadExactly(bytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException("cannot read key file '" + keyFile + "': " + ex.Message, ex);
            }
            int length = bytes.Length;
            while (length > 0 && bytes[length - 1] is (byte)'\n' or (byte)'\r')
            {
                length--;
            }
            if (length < MinimumBytes)
            {
                throw new ArgumentException("key file '" + keyFile + "' holds " + length + " bytes of key, fewer than " + MinimumBytes + Advice);
            }
            return new PreSharedKey(bytes[..length]) { Source = "key file " + keyFile, File = Path.GetFullPath(keyFile) };
        }
        string? text = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        byte[] secret = Encoding.UTF8.GetBytes(text);
        if (secret.Length < MinimumBytes)
        {
            throw new ArgumentException(EnvironmentVariable + " holds " + secret.Length + " bytes of key, fewer than " + MinimumBytes + Advice);
        }
        return new PreSharedKey(secret) { Source = "environment variable " + EnvironmentVariable };
    }

    /// <summary>For tests: a key from bytes.</summary>
    public static PreSharedKey FromBytes(byte[] secret) => new(secret) { Source = "bytes" };
}
