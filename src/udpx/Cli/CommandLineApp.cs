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
        if (WorkerEntry.Takes(args))
        {
            // A worker's standard output is its parent's pipe: a failure there is the parent's to see.
            return await RunAsync(args, WorkerEntry.Run, BuildRoot).ConfigureAwait(false);
        }
        string name = args is [var first, ..] && !first.StartsWith('-') ? "udpx " + first : "udpx";
        bool serves = args is ["serve" or "relay", ..];
        // A server's output is a log beside its work: it says once that the log is lost and keeps serving.
        // Every other verb reports the failure when it ends, after the transfers it was printing about.
        var output = new StandardOutputGuard(Console.Out, serves
            ? ex => Console.Error.WriteLine(name + ": warning: standard output failed (" + ex.Message + "); output lines are dropped")
            : null);
        Console.SetOut(output);
        int exit = await RunAsync(args, WorkerEntry.Run, BuildRoot).ConfigureAwait(false);
        if (serves || output.Failure is not { } failure)
        {
            return exit;
        }
        Console.Error.WriteLine(name + ": cannot write to standard output: " + failure.Message);
        return exit == ExitCodes.Ok ? ExitCodes.InputError : exit;
    }

    /// <summary>
    /// The command line with its seams: how the worker verb runs when a parent starts it (before any command
    /// tree exists), how the tree is built for everything else, and where the one line of an error goes.
    /// </summary>
    internal static async Task<int> RunAsync(string[] args, Func<int> runWorker, Func<string[], RootCommand> buildRoot, TextWriter? errors = null)
    {
        errors ??= Console.Error;
        try
        {
            // Our errors become one line below, never a stack trace.
            return WorkerEntry.Takes(args) ? runWorker() : await ParseAndInvokeAsync(buildRoot(args), args, errors).ConfigureAwait(false);
        }
        catch (UserError ex)
        {
            errors.WriteLine(ex.Message.StartsWith("udpx", StringComparison.Ordinal) ? ex.Message : "udpx: " + ex.Message);
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }

    internal static RootCommand BuildRoot(string[] args)
    {
        var root = new RootCommand("udpx: reliable file transfer over UDP, from one client to many servers");
        if (args is [WorkerLaunch.Verb, ..])
        {
            // `udpx worker --help` and the like: only the worker's own verb.
            root.Subcommands.Add(WorkerVerb.Create());
        }
        else
        {
            AddVerbs(root);
        }
        return root;
    }

    private static Task<int> ParseAndInvokeAsync(RootCommand root, string[] args, TextWriter errors)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            string verb = parsed.CommandResult.Command == root ? string.Empty : " " + parsed.CommandResult.Command.Name;
            // "Required command was not provided" says less than the token we did not recognise.
            var error = parsed.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)) ?? parsed.Errors[0];
            errors.WriteLine("udpx" + verb + ": " + error.Message + " (see 'udpx" + verb + " --help')");
            return Task.FromResult(ExitCodes.Usage);
        }
        return parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
