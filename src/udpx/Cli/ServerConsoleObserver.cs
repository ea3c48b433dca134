using System.Globalization;
using System.Text.Json;
using Udpx.Common;
using Udpx.Server;

namespace Udpx.Cli;

/// <summary>
/// The headless face of `udpx serve`: a line per session start, per finished file and per refusal,
/// and, when asked, a line per datagram like the original lab servers printed (sender, running byte
/// count, length, first bytes). Text or JSON lines. Names and messages a peer supplied go through
/// <see cref="SafeText.Escape"/> in text; JSON's encoder escapes them (controls and bidi as \uXXXX).
/// </summary>
internal sealed class ServerConsoleObserver(TextWriter output, bool json, Verbosity verbosity) : IServerObserver
{
    private readonly Lock _gate = new();
    private volatile bool _silent;

    public bool WantsDatagrams => !_silent && verbosity >= Verbosity.Datagram;

    /// <summary>
    /// Prints nothing from now on: the terminal UI owns the screen, and a line written under it lands on top
    /// of its drawing (seen in a GNS3 node's console, where every session wrote over the TUI's header).
    /// </summary>
    public void Silence() => _silent = true;

    public void SessionStarted(ReceiverSession session)
    {
        if (verbosity < Verbosity.Normal)
        {
            return;
        }
        Emit(
            new ServerEvent { Event = "start", Time = Now(), Peer = session.PeerText, Name = session.Name, Size = session.FileSize, Session = SessionText(session.Id), ResumedBytes = session.ResumedBytes > 0 ? session.ResumedBytes : null },
            $"{Now()} {session.PeerText} -> {SafeText.Escape(session.Name)}: receiving {Format.Bytes(session.FileSize)}{(session.ResumedBytes > 0 ? ", resumed at " + Format.Number(session.ResumedBytes) + " of " + Format.Number(session.FileSize) : string.Empty)}, session {SessionText(session.Id)}");
    }

    public void SessionEnded(ReceiverSession session, double seconds)
    {
        bool ok = session.Result == Protocol.RejectReason.None;
        double rate = seconds > 0 ? session.FileSize / seconds : 0;
        Emit(
            new ServerEvent
            {
                Event = ok ? "file" : "failed",
                Time = Now(),
                Peer = session.PeerText,
                Name = session.Name,
                Size = session.FileSize,
                Bytes = session.BytesReceived,
                Datagrams = session.Datagrams,
                Duplicates = session.Duplicates,
                Corrupt = session.Corrupt,
                Seconds = Math.Round(seconds, 6),
                BytesPerSecond = Math.Round(rate),
                DigestOk = ok,
                Reason = ok ? null : session.ResultMessage,
            },
            ok
                ? $"{Now()} {session.PeerText} -> {SafeText.Escape(session.Name)}: {Format.Bytes(session.FileSize)} in {Format.Seconds(seconds)} ({Format.Rate(rate)}), digest ok, {Format.Number(session.Datagrams)} datagrams, {Format.Number(session.Duplicates)} duplicates, {Format.Number(session.Corrupt)} corrupt dropped"
                : $"{Now()} {session.PeerText} -> {SafeText.Escape(session.Name)}: FAILED after {Format.Bytes(session.BytesReceived)}: {SafeText.Escape(session.ResultMessage)}");
    }

    public void Refused(string peer, string name, string reason)
    {
        Emit(
            new ServerEvent { Event = "refused", Time = Now(), Peer = peer, Name = name, Reason = reason },
            $"{Now()} {peer} -> {Printable(name)}: refused: {SafeText.Escape(reason)}");
    }

    public void Datagram(ReceiverSession session, ulong chunk, int length, ReadOnlySpan<byte> payload)
    {
        string head = Format.Hex(payload[..Math.Min(8, payload.Length)]);
        Emit(
            new ServerEvent { Event = "datagram", Time = Now(), Peer = session.PeerText, Name = session.Name, Chunk = (long)chunk, Length = length, Bytes = session.BytesReceived, Head = head },
            $"{Now()} from {session.PeerText}: chunk {chunk}, {length} bytes, {Format.Number(session.BytesReceived)} bytes so far [{head}]");
    }

    /// <summary>
    /// The --on-file hook's outcome for a stored file: a line with how it ended, then its first lines of
    /// output, indented (escaped: the hook may print anything, and the file name is the peer's).
    /// </summary>
    public void HookFinished(StoredFile file, HookOutcome outcome)
    {
        var text = new System.Text.StringBuilder();
        text.Append($"{Now()} {file.Sender} -> {SafeText.Escape(file.Name)}: hook {SafeText.Escape(outcome.Status)}");
        if (outcome.End != HookEnd.NotRun && outcome.End != HookEnd.NotStarted)
        {
            text.Append($" in {Format.Seconds(outcome.Seconds)}, {outcome.Lines} line{(outcome.Lines == 1 ? string.Empty : "s")} of output");
        }
        foreach (string line in outcome.FirstLines)
        {
            text.Append(Environment.NewLine).Append("  | ").Append(SafeText.Escape(line));
        }
        Emit(
            new ServerEvent
            {
                Event = "hook",
                Time = Now(),
                Peer = file.Sender,
                Name = file.Name,
                Session = file.SessionText,
                Hook = outcome.EndText,
                ExitCode = outcome.ExitCode,
                Output = outcome.FirstLines,
                OutputLines = outcome.Lines,
                Seconds = Math.Round(outcome.Seconds, 6),
                Reason = outcome.Succeeded ? null : outcome.Status,
            },
            text.ToString());
    }

    /// <summary>A periodic line per active stream (verbosity "stream").</summary>
    public void StreamProgress(ReceiverSession session, double bytesPerSecond)
    {
        Emit(
            new ServerEvent { Event = "stream", Time = Now(), Peer = session.PeerText, Name = session.Name, Size = session.FileSize, Bytes = session.BytesReceived, Datagrams = session.Datagrams, BytesPerSecond = Math.Round(bytesPerSecond) },
            $"{Now()} {session.PeerText} -> {SafeText.Escape(session.Name)}: {Format.Number(session.BytesReceived)} / {Format.Number(session.FileSize)} bytes, {Format.Number(session.Datagrams)} datagrams, {Format.Rate(bytesPerSecond)}");
    }

    /// <summary>The first line: in JSON each fact in a field of its own, the folder a path alone.</summary>
    public void Listening(ServeListening l)
    {
        string text = $"udpx serve: listening on {l.Address}, storing into {l.Folder}"
            + (l.Created ? " (created)" : string.Empty)
            + (l.Overwrite ? ", replacing existing files" : ", never replacing existing files")
            + (l.AllowHidden ? ", hidden names accepted" : string.Empty)
            + (l.ReceiveThreads > 1 ? ", " + l.ReceiveThreads + " receive threads" : string.Empty)
            + (l.OnFile is { } hook ? ", then running " + SafeText.Escape(hook) + " for each (timeout " + Format.Seconds(l.OnFileTimeout!.Value.TotalSeconds) + ")" : string.Empty)
            + (l.KeySource is { } key ? ", datagrams authenticated with the key from " + key : string.Empty);
        Emit(
            new ServerEvent
            {
                Event = "listening",
                Time = Now(),
                Address = l.Address,
                Folder = l.Folder,
                Created = l.Created,
                Overwrite = l.Overwrite,
                AllowHidden = l.AllowHidden,
                ReceiveThreads = l.ReceiveThreads,
                OnFile = l.OnFile,
                OnFileTimeoutSeconds = l.OnFileTimeout?.TotalSeconds,
                Key = l.KeySource,
            },
            text);
    }

    private void Emit(ServerEvent e, string text)
    {
        if (_silent)
        {
            return;
        }
        string line = json ? JsonSerializer.Serialize(e, CliJson.Default.ServerEvent) : text;
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    /// <summary>A refused name may be anything the peer sent: escaped, and cut at 80 characters.</summary>
    internal static string Printable(string name) =>
        name.Length > 80 ? SafeText.Escape(name[..80]) + "..." : SafeText.Escape(name);

    internal static string Now() => DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>As Wireshark's udpx dissector shows it, so a capture can be matched with the log.</summary>
    private static string SessionText(ulong id) => "0x" + id.ToString("x16", CultureInfo.InvariantCulture);
}

internal enum Verbosity
{
    Quiet,
    Normal,
    Stream,
    Datagram,
}

/// <summary>What `udpx serve` listens with, for its first line.</summary>
internal sealed record ServeListening(
    string Address, string Folder, bool Created, bool Overwrite, bool AllowHidden, int ReceiveThreads, string? OnFile, TimeSpan? OnFileTimeout, string? KeySource);
