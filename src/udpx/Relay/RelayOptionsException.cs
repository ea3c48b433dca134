namespace Udpx.Relay;

/// <summary>
/// A relay setting the user got wrong. The message is the whole one-line report,
/// starting with "udpx relay:", ready to print as it is.
/// </summary>
internal sealed class RelayOptionsException : Exception
{
    public RelayOptionsException()
    {
    }

    public RelayOptionsException(string message)
        : base(message)
    {
    }

    public RelayOptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
