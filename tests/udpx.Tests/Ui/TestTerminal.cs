using Terminal.Gui.App;
using Terminal.Gui.Drivers;
using Terminal.Gui.Time;

namespace Udpx.Tests.Ui;

/// <summary>
/// A real Terminal.Gui application on its ANSI driver with the terminal's I/O switched off: input is
/// injected, the screen is read back from the driver's buffer, and time moves only when a test says so.
/// </summary>
internal static class TestTerminal
{
    public static IApplication Create(VirtualTimeProvider time, int columns = 80, int rows = 24)
    {
        // Never touch the real console, whatever runs the tests.
        Environment.SetEnvironmentVariable("DisableRealDriverIO", "1");
        var app = Application.Create(time);
        app.Init(DriverRegistry.Names.ANSI);
        app.Driver!.SetScreenSize(columns, rows);
        return app;
    }

    /// <summary>The screen as text, one line per row, trailing spaces trimmed.</summary>
    public static string Screen(IApplication app)
    {
        app.LayoutAndDraw();
        string text = (app.Driver?.ToString() ?? string.Empty).Replace("\r", string.Empty, StringComparison.Ordinal).TrimEnd('\n');
        return string.Join('\n', text.Split('\n').Select(line => line.TrimEnd()));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TerminalTests
{
    public const string Name = "Terminal.Gui application";
}
