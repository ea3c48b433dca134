using System.CommandLine;
using Udpx.Modes;

namespace Udpx.Cli;

/// <summary>The hidden verb a parent udpx starts its worker processes with (process and process-async modes).</summary>
internal static class WorkerVerb
{
    public static Command Create()
    {
        var command = new Command(WorkerLaunch.Verb, "Internal: run transfer jobs read as JSON lines from standard input") { Hidden = true };
        command.SetAction((_, cancellationToken) => Task.FromResult(WorkerHost.Run(Console.In, Console.OpenStandardOutput(), cancellationToken)));
        return command;
    }
}
