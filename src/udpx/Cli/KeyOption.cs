using Udpx.Common;
using Udpx.Protocol;

namespace Udpx.Cli;

/// <summary>Loads the pre-shared key for --key-file (or UDPX_KEY); a bad key file is a one-line error.</summary>
internal static class KeyOption
{
    public static PreSharedKey? Load(string? keyFile)
    {
        try
        {
            return PreSharedKey.Load(keyFile);
        }
        catch (ArgumentException ex)
        {
            throw new UserError(ExitCodes.InputError, ex.Message);
        }
    }
}
