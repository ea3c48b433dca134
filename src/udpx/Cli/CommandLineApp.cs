using System.CommandLine;
using Udpx.Common;

namespace Udpx.Cli;

/// <summary>The udpx command line: verbs, parse errors as one line and exit code 2, user errors as one line.</summary>
internal static class CommandLineApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("udpx: reliable file transfer over UDP, from one client to many servers")
        {
            ServeVerb.Create(),
            SendVerb.Create(),
            GetVerb.Create(),
            DemoVerb.Create(),
            RelayVerb.Create(),
            KeygenVerb.Create(),
            BenchVerb.Create(),
            WorkerVerb.Create(),
            UiPreviewVerb.Create(),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            string verb = parsed.CommandResult.Command == root ? string.Empty : " " + parsed.CommandResult.Command.Name;
            // "Required command was not provided" says less than the token we did not recognise.
            var error = parsed.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)) ?? parsed.Errors[0];
            Console.Error.WriteLine("udpx" + verb + ": " + error.Message + " (see 'udpx" + verb + " --help')");
            return ExitCodes.Usage;
        }
        try
        {
            // Our errors become one line below, never a stack trace.
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (UserError ex)
        {
            Console.Error.WriteLine(ex.Message.StartsWith("udpx", StringComparison.Ordinal) ? ex.Message : "udpx: " + ex.Message);
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }
}
