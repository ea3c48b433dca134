using Terminal.Gui.Configuration;

namespace Udpx.Ui;

/// <summary>
/// Terminal.Gui applies its configuration (library defaults, ~/.tui and ./.tui files, TUI_CONFIG, themes)
/// from a module initializer, which a native binary runs at every start: 14 ms of the 25 ms that
/// `udpx --version` took, paid again by every worker process that never draws a thing. The native build
/// empties that initializer (build/terminal-gui.substitutions.xml) and the terminal UI applies the
/// configuration here instead, once, before it makes its first view.
/// </summary>
internal static class TerminalGuiStartup
{
    private static int _applied;

    /// <summary>
    /// False as compiled: under the JIT (tests, `dotnet run`) the initializer ran as usual. The same
    /// substitution file that empties the initializer makes this true in the native build.
    /// </summary>
    private static bool InitializerEmptied => false;

    public static void EnsureConfigured()
    {
        if (!InitializerEmptied || Interlocked.Exchange(ref _applied, 1) != 0)
        {
            return;
        }
        try
        {
            TuiConfigurationBuilder.Shared.ApplyToStaticFacades();
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // As the library's own initializer: a bad configuration must not stop the UI; it runs on defaults.
        }
    }
}
