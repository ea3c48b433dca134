using Terminal.Gui.App;

namespace Udpx.Ui.Screens;

/// <summary>
/// Runs a screen in an application: a UI-thread timer refreshes it from the snapshots about four times a
/// second and notices an outside cancellation; q cancels the caller's token and ends the run. However the
/// run ends, the token is cancelled, so the caller winds its work down.
/// </summary>
internal static class ScreenHost
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    public static void Run(IApplication app, UiScreen screen, CancellationTokenSource quit)
    {
        void OnQuit(object? sender, EventArgs e)
        {
            Cancel(quit);
            app.RequestStop(screen);
        }

        bool Tick()
        {
            if (quit.IsCancellationRequested)
            {
                app.RequestStop(screen);
                return false;
            }
            screen.Refresh();
            return true;
        }

        screen.QuitRequested += OnQuit;
        screen.Refresh();
        var timer = app.AddTimeout(RefreshInterval, Tick);
        try
        {
            if (!quit.IsCancellationRequested)
            {
                app.Run(screen);
            }
        }
        finally
        {
            if (timer is not null)
            {
                app.RemoveTimeout(timer);
            }
            screen.QuitRequested -= OnQuit;
            Cancel(quit);
        }
    }

    private static void Cancel(CancellationTokenSource quit)
    {
        try
        {
            quit.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The caller is already past caring.
        }
    }
}
