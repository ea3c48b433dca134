using System.Globalization;
using System.Net;
using Udpx.Common;

namespace Udpx.Cli;

/// <summary>Reads the --bind address of the server: "ADDR:PORT", ":PORT" or "PORT".</summary>
internal static class Endpoints
{
    public const int DefaultPort = 9000;

    public static IPEndPoint ParseBind(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new IPEndPoint(IPAddress.Any, DefaultPort);
        }
        text = text.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int onlyPort))
        {
            return new IPEndPoint(IPAddress.Any, CheckPort(onlyPort, text));
        }
        if (text.StartsWith(':'))
        {
            text = "0.0.0.0" + text;
        }
        if (!Engine.ServerAddress.TryParse(text, out string host, out int port, out string error, allowPortZero: true))
        {
            throw new UserError(ExitCodes.Usage, "--bind " + error);
        }
        if (!IPAddress.TryParse(host, out var address))
        {
            throw new UserError(ExitCodes.Usage, "--bind '" + text + "': give an IP address to listen on, such as 0.0.0.0:" + port);
        }
        return new IPEndPoint(address, port);
    }

    private static int CheckPort(int port, string text) => port is >= 0 and <= 65535
        ? port
        : throw new UserError(ExitCodes.Usage, "--bind '" + text + "': port must be a number from 0 to 65535");
}
