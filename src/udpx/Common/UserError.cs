namespace Udpx.Common;

/// <summary>An error the user can fix: printed as one line, mapped to an exit code, never a stack trace.</summary>
internal sealed class UserError(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
