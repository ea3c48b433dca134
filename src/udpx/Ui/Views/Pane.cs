using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Udpx.Ui.Views;

/// <summary>
/// A framed part of a screen that Tab stops at. The focused pane marks its title and scrolls its
/// scroll target with the arrow and page keys.
/// </summary>
internal sealed class Pane : FrameView
{
    private string _caption = string.Empty;

    public Pane(string caption)
    {
        CanFocus = true;
        TabStop = TabBehavior.TabStop;
        Caption = caption;
    }

    /// <summary>The title without the focus mark.</summary>
    public string Caption
    {
        get => _caption;
        set
        {
            if (value != _caption)
            {
                _caption = value;
                UpdateTitle();
            }
        }
    }

    public LinesView? ScrollTarget { get; set; }

    protected override void OnHasFocusChanged(bool newHasFocus, View? previousFocusedView, View? focusedView)
    {
        base.OnHasFocusChanged(newHasFocus, previousFocusedView, focusedView);
        UpdateTitle();
    }

    protected override bool OnKeyDown(Key key)
    {
        if (ScrollTarget is { } target)
        {
            int page = Math.Max(1, target.Viewport.Height - 1);
            if (key == Key.CursorUp)
            {
                target.ScrollBy(-1);
                return true;
            }
            if (key == Key.CursorDown)
            {
                target.ScrollBy(1);
                return true;
            }
            if (key == Key.PageUp)
            {
                target.ScrollBy(-page);
                return true;
            }
            if (key == Key.PageDown)
            {
                target.ScrollBy(page);
                return true;
            }
            if (key == Key.Home)
            {
                target.ScrollToStart();
                return true;
            }
            if (key == Key.End)
            {
                target.ScrollToEnd();
                return true;
            }
        }
        return base.OnKeyDown(key);
    }

    private void UpdateTitle() => Title = (HasFocus ? "▶ " : string.Empty) + _caption;
}
