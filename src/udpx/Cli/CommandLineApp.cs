using System.CommandLine;
using Udpx.Common;
using Udpx.Modes;

namespace Udpx.Cli;

/// <summary>The udpx command line: verbs, parse errors as one line and exit code 2, user errors as one line.</summary>
internal static class CommandLineApp
{
    private static void AddVerbs(RootCommand root)
    {
        root.Subcommands.Add(ServeVerb.Create());
        root.Subcommands.Add(SendVerb.Create());
        root.Subcommands.Add(GetVerb.Create());
        root.Subcommands.Add(DemoVerb.Create());
        root.Subcommands.Add(RelayVerb.Create());
        root.Subcommands.Add(KeygenVerb.Create());
        root.Subcommands.Add(BenchVerb.Create());
        root.Subcommands.Add(WorkerVerb.Create());
        root.Subcommands.Add(UiPreviewVerb.Create());
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("udpx: reliable file transfer over UDP, from one client to many servers");
        if (args is [WorkerLaunch.Verb, ..])
        {
            // A worker process of the process modes starts once per transfer or per pool: it builds only its own
            // verb, not every verb's typed options (their parsers cost JIT time at each start).
            root.Subcommands.Add(WorkerVerb.Create());
        }
        else
        {
            AddVerbs(root);
        }

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
