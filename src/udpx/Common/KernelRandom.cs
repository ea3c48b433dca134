using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Udpx.Common;

/// <summary>
/// Cryptographically secure random bytes straight from the kernel (getrandom(2), the source
/// <see cref="RandomNumberGenerator"/> itself is seeded from). On Linux .NET's generator goes through OpenSSL,
/// whose first use loads its configuration and algorithm tables: about a millisecond of CPU that every
/// process-mode child paid for the eight bytes of its session id. Elsewhere, or on a kernel without
/// getrandom, <see cref="RandomNumberGenerator"/>.
/// </summary>
internal static partial class KernelRandom
{
    private const int Interrupted = 4; // EINTR

    public static void Fill(Span<byte> destination)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }
        while (!destination.IsEmpty)
        {
            nint got = GetRandom(ref MemoryMarshal.GetReference(destination), (nuint)destination.Length, 0);
            if (got > 0)
            {
                destination = destination[(int)got..];
            }
            else if (got < 0 && Marshal.GetLastPInvokeError() == Interrupted)
            {
                continue;
            }
            else
            {
                RandomNumberGenerator.Fill(destination);
                return;
            }
        }
    }

    /// <summary>A random 64-bit value with the low bit set (a session id is never 0).</summary>
    public static ulong NextSessionId()
    {
        Span<byte> bytes = stackalloc byte[8];
        Fill(bytes);
        return BitConverter.ToUInt64(bytes) | 1;
    }

    [LibraryImport("libc", EntryPoint = "getrandom", SetLastError = true)]
    private static partial nint GetRandom(ref byte buffer, nuint length, uint flags);
}
