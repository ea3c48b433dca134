using System.CommandLine;

namespace Udpx.Cli;

/// <summary>Hidden: the three screens driven by in-memory senders and servers, for checking the terminal UI anywhere.</summary>
internal static class UiPreviewVerb
{
    public static Command Create()
    {
        var screen = new Argument<string>("screen") { Description = "server | send | demo", DefaultValueFactory = _ => "server" };
        var command = new Command("ui-preview", "Internal: preview the terminal UI without a network") { screen };
        command.Hidden = true;
        command.SetAction(result => Ui.Preview.UiPreview.Run([result.GetValue(screen)!]));
        return command;
    }
}
