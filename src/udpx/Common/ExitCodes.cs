namespace Udpx.Common;

/// <summary>The process exit codes udpx documents (README, "Exit codes").</summary>
internal static class ExitCodes
{
    /// <summary>Everything done; every transfer verified by its server.</summary>
    public const int Ok = 0;

    /// <summary>At least one transfer failed or was not verified.</summary>
    public const int TransferFailed = 1;

    /// <summary>Bad command line: unknown option or mode, malformed address, bad number.</summary>
    public const int Usage = 2;

    /// <summary>A local file or folder problem: missing input file, unwritable output folder, failed download.</summary>
    public const int InputError = 3;

    /// <summary>A network problem before any transfer: port in use, name not resolvable, cannot bind.</summary>
    public const int NetworkError = 4;

    /// <summary>Interrupted (Ctrl-C) before finishing.</summary>
    public const int Interrupted = 130;
}
