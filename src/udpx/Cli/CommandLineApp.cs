using System.CommandLine;

namespace Udpx.Cli;

/// <summary>The udpx command line: verbs, parse errors as one line and exit code 2, user errors as one line.</summary>
internal static class CommandLineApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("udpx: reliable file transfer over UDP, from one client to many servers")
        {
            ServeCommand.Create(),
            SendCommand.Create(),
            DemoCommand.Create(),
            WorkerVerb.Create(),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            string verb = parsed.CommandResult.Command == root ? string.Empty : " " + parsed.CommandResult.Command.Name;
            Console.Error.WriteLine("udpx" + verb + ": " + parsed.Errors[0].Message + " (see 'udpx" + verb + " --help')");
            return ExitCodes.Usage;
        }
        try
        {
            return await parsed.InvokeAsync().ConfigureAwait(false);
        }
        catch (UserError ex)
        {
            Console.Error.WriteLine("udpx: " + ex.Message);
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }
}
