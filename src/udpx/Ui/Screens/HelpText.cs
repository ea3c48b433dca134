namespace Udpx.Ui.Screens;

/// <summary>What the ? key shows, per screen.</summary>
internal static class HelpText
{
    public static readonly string[] Common =
    [
        "q, Ctrl+C   quit (transfers are cancelled cleanly)",
        "p           pause or resume the datagram stream",
        "Tab         next pane (Shift+Tab: previous)",
        "Up, Down    scroll the focused pane",
        "PgUp, PgDn  scroll a page; Home, End: first, last",
        "?, Esc      close this help",
    ];

    public static readonly string[] Stream =
    [
        "The stream shows datagrams as they come: time since",
        "the first, sender, chunk, bytes so far, length, and",
        "first bytes in hex. When too many come to read, an",
        "even sample is shown: \"showing 1 in 40\".",
    ];

    public static readonly string[] Server =
    [
        "dup, bad    datagrams a session dropped as duplicate",
        "            or corrupt (bad checksum)",
    ];

    public static readonly string[] Demo =
    [
        "1 to 4      run again as process, thread,",
        "            process-async, thread-async",
        "            (queued while a run is going)",
    ];
}
