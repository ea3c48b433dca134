using System.Text.Json;
using Udpx.Common;
using Udpx.Tftp;

namespace Udpx.Cli;

/// <summary>
/// The headless face of `serve --tftp`: the same lines as udpx sessions (start, finished file, failure,
/// refusal), marked "tftp", in text or as JSON lines with "protocol": "tftp". Peer-supplied names and
/// messages are escaped as in <see cref="ServerConsoleObserver"/>.
/// </summary>
internal sealed class TftpConsoleObserver(TextWriter output, bool json, Verbosity verbosity) : ITftpObserver
{
    private const string Protocol = "tftp";
    private readonly Lock _gate = new();

    public void SessionStarted(TftpSession session)
    {
        if (verbosity < Verbosity.Normal)
        {
            return;
        }
        string what = session.Request.IsWrite ? "receiving" : "sending";
        string size = session.Size is { } s ? " " + Format.Bytes(s) : string.Empty;
        Emit(
            new ServerEvent { Event = "start", Protocol = Protocol, Time = Now(), Peer = session.PeerText, Name = session.Name, Size = session.Size, Reason = session.Direction },
            $"{Now()} tftp {session.PeerText} {Arrow(session)} {SafeText.Escape(session.Name)}: {what}{size} (blksize {session.Options.BlockSize}, windowsize {session.Options.WindowSize}, {(session.Request.Mode == TftpMode.NetAscii ? "netascii" : "octet")})");
    }

    public void SessionEnded(TftpSession session, double seconds)
    {
        double rate = seconds > 0 ? session.Bytes / seconds : 0;
        Emit(
            new ServerEvent
            {
                Event = session.Succeeded ? "file" : "failed",
                Protocol = Protocol,
                Time = Now(),
                Peer = session.PeerText,
                Name = session.Name,
                Size = session.Size,
                Bytes = session.Bytes,
                Datagrams = session.PacketsSent + session.PacketsReceived,
                Duplicates = session.Retransmitted,
                Seconds = Math.Round(seconds, 6),
                BytesPerSecond = Math.Round(rate),
                Reason = session.Succeeded ? session.Direction : session.Result,
            },
            session.Succeeded
                ? $"{Now()} tftp {session.PeerText} {Arrow(session)} {SafeText.Escape(session.Name)}: {Format.Bytes(session.Bytes)} in {Format.Seconds(seconds)} ({Format.Rate(rate)}), {Format.Number(session.PacketsSent + session.PacketsReceived)} packets, {Format.Number(session.Retransmitted)} retransmitted"
                : $"{Now()} tftp {session.PeerText} {Arrow(session)} {SafeText.Escape(session.Name)}: FAILED after {Format.Bytes(session.Bytes)}: {SafeText.Escape(session.Result)}");
    }

    public void Refused(string peer, string name, string reason)
    {
        Emit(
            new ServerEvent { Event = "refused", Protocol = Protocol, Time = Now(), Peer = peer, Name = name, Reason = reason },
            $"{Now()} tftp {peer} -> {Printable(name)}: refused: {SafeText.Escape(reason)}");
    }

    public void Listening(string address, string share, string writes)
    {
        Emit(
            new ServerEvent { Event = "listening", Protocol = Protocol, Time = Now(), Address = address, Folder = share, Reason = writes },
            $"udpx serve: TFTP on {address}, serving {share}; {writes}");
    }

    private static string Arrow(TftpSession session) => session.Request.IsWrite ? "->" : "<-";

    private void Emit(ServerEvent e, string text)
    {
        string line = json ? JsonSerializer.Serialize(e, CliJson.Default.ServerEvent) : text;
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private static string Printable(string name) => ServerConsoleObserver.Printable(name);

    private static string Now() => ServerConsoleObserver.Now();
}
