using Terminal.Gui.App;
using Udpx.Ui.Screens;

namespace Udpx.Tests.Ui;

/// <summary>
/// Runs a screen in the real main loop through <see cref="ScreenHost"/> and performs one step per loop
/// iteration once the first frame is drawn; a run that outlives its steps is stopped and reported.
/// </summary>
internal static class ScreenScript
{
    public static void Run(IApplication app, UiScreen screen, CancellationTokenSource quit, params Action[] steps)
    {
        int iteration = 0;
        bool overran = false;
        void OnIteration(object? sender, EventArgs e)
        {
            iteration++;
            // The first iteration draws the first frame; steps begin after it.
            int step = iteration - 2;
            if (step >= 0 && step < steps.Length)
            {
                steps[step]();
            }
            else if (step >= steps.Length + 20)
            {
                overran = true;
                app.RequestStop(screen);
            }
        }

        app.Iteration += OnIteration;
        try
        {
            ScreenHost.Run(app, screen, quit);
        }
        finally
        {
            app.Iteration -= OnIteration;
        }
        Assert.False(overran, "the screen was still running " + iteration + " iterations after its last step");
    }
}
